import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Forge } from '#domain/webhook/webhook.events.js';
import type { Secret, WebhooksConfig } from '#infrastructure/config/index.js';

/** Request headers as Node gives them: names in lower case. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A header's single value; a repeated header counts as absent (a sender never repeats these). */
export function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Equal strings in time independent of where they differ and of their lengths (both are hashed first). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** `hex` is the HMAC-SHA256 of `body` under `secret`, compared in constant time. */
function validHmac(secret: Secret, body: Buffer, hex: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret.reveal()).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/**
 * Whether a delivery comes from the forge: GitHub's `X-Hub-Signature-256: sha256=<hex>` and
 * Gitea's `X-Gitea-Signature: <hex>` are HMAC-SHA256 of the raw body bytes; GitLab sends its
 * token as is in `X-Gitlab-Token`; Gerrit's relay sends `Authorization: Bearer <token>`. A forge
 * with no secret configured is refused like a bad signature (the caller cannot tell which forges
 * are configured). The reason is for the log only; it never holds a secret or a signature.
 */
export function checkSignature(
  forge: Forge,
  secrets: WebhooksConfig,
  headers: WebhookHeaders,
  body: Buffer,
): SignatureCheck {
  const secret = secrets[forge];
  if (secret === null) return { ok: false, reason: `no [webhooks] secret is configured for ${forge}` };
  const refuse = (reason: string): SignatureCheck => ({ ok: false, reason });
  switch (forge) {
    case 'github': {
      const signature = headerOf(headers, 'x-hub-signature-256');
      if (signature === undefined) return refuse('no X-Hub-Signature-256 header');
      if (!signature.startsWith('sha256=') || !validHmac(secret, body, signature.slice('sha256='.length)))
        return refuse('X-Hub-Signature-256 does not match the body');
      return { ok: true };
    }
    case 'gitea': {
      const signature = headerOf(headers, 'x-gitea-signature') ?? headerOf(headers, 'x-forgejo-signature');
      if (signature === undefined) return refuse('no X-Gitea-Signature header');
      if (!validHmac(secret, body, signature)) return refuse('X-Gitea-Signature does not match the body');
      return { ok: true };
    }
    case 'gitlab': {
      const token = headerOf(headers, 'x-gitlab-token');
      if (token === undefined) return refuse('no X-Gitlab-Token header');
      if (!sameSecret(token, secret.reveal())) return refuse('X-Gitlab-Token does not match gitlab_token');
      return { ok: true };
    }
    case 'gerrit': {
      const authorization = headerOf(headers, 'authorization');
      const bearer = authorization === undefined ? undefined : /^Bearer (\S+)$/i.exec(authorization)?.[1];
      if (bearer === undefined) return refuse('no Authorization: Bearer header');
      if (!sameSecret(bearer, secret.reveal())) return refuse('the Bearer token does not match gerrit_token');
      return { ok: true };
    }
    default: {
      const never: never = forge;
      return refuse(`unknown forge ${String(never)}`);
    }
  }
}
