import { createHash } from 'node:crypto';
import type { Forge } from '#domain/webhook/webhook.events.js';
import { isDeliveryId } from '#domain/webhook/webhook.events.js';
import { headerOf, type WebhookHeaders } from './forge-signature.js';
import { COMMIT, objectAt, stringAt, urlsOf, WebhookPayloadError, type Json } from './payload-fields.js';
import { isChangeEvent, readChangeDelivery, type ChangeDelivery } from '../change-builds/forge-change.js';

/** What a signed delivery says, once read. */
export type ForgeDelivery =
  | {
      readonly kind: 'push';
      readonly deliveryId: string;
      /** The URL recorded: the clone URL when the payload has one. */
      readonly repositoryUrl: string;
      /** Every URL of the repository the payload gives. */
      readonly repositoryUrls: readonly string[];
      /** Gerrit: the project path (its events name no URL). */
      readonly project?: string;
      readonly ref: string;
      readonly after: string | null;
    }
  /** A pull request, merge request or Gerrit change (issue 18 item 2): `change-builds/forge-change.ts`. */
  | ChangeDelivery
  | { readonly kind: 'ignored'; readonly deliveryId: string; readonly reason: string };

const ZERO_COMMIT = /^0+$/;

function parseJson(body: Buffer, contentType: string | undefined): Json {
  let text = body.toString('utf8');
  // GitHub's other content type: the JSON in a `payload` form field.
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  try {
    return objectAt(JSON.parse(text), 'body');
  } catch (error) {
    if (error instanceof WebhookPayloadError) throw error;
    throw new WebhookPayloadError('body: not a JSON object');
  }
}

/** The forge's delivery id header, else the body's SHA-256: a redelivery of the same bytes is then the same delivery. */
function deliveryIdOf(headers: WebhookHeaders, header: string | null, body: Buffer): string {
  const sent = header === null ? undefined : headerOf(headers, header);
  if (sent === undefined) return createHash('sha256').update(body).digest('hex');
  if (!isDeliveryId(sent))
    throw new WebhookPayloadError(`${header}: not a delivery id (letters, digits, '.', '_', ':', '-', at most 100)`);
  return sent;
}

function afterOf(value: unknown): string | null {
  return typeof value === 'string' && COMMIT.test(value) ? value : null;
}

/** GitHub and Gitea share the push payload's shape (Gitea copied it). */
function githubLikePush(payload: Json, deliveryId: string): ForgeDelivery {
  const ref = stringAt(payload, 'ref', 'body');
  const repository = objectAt(payload.repository, 'body.repository');
  const urls = urlsOf(repository, ['clone_url', 'ssh_url', 'git_url', 'html_url', 'url']);
  if (urls.length === 0) throw new WebhookPayloadError('body.repository: no clone_url, ssh_url or html_url');
  if (payload.deleted === true || (typeof payload.after === 'string' && ZERO_COMMIT.test(payload.after)))
    return { kind: 'ignored', deliveryId, reason: `${ref} was deleted` };
  return {
    kind: 'push',
    deliveryId,
    repositoryUrl: urls[0]!,
    repositoryUrls: urls,
    ref,
    after: afterOf(payload.after),
  };
}

/**
 * Reads a delivery whose signature was checked: a push (GitHub `push`, GitLab `Push Hook`, Gitea
 * `push`, Gerrit `ref-updated`) or something acknowledged and ignored (GitHub's `ping`, other
 * events, a deleted branch). Throws WebhookPayloadError when a push lacks what it must hold.
 */
export function readDelivery(forge: Forge, headers: WebhookHeaders, body: Buffer): ForgeDelivery {
  const contentType = headerOf(headers, 'content-type');
  switch (forge) {
    case 'github': {
      const deliveryId = deliveryIdOf(headers, 'x-github-delivery', body);
      const event = headerOf(headers, 'x-github-event') ?? '';
      if (isChangeEvent(forge, event))
        return readChangeDelivery(forge, event, parseJson(body, contentType), deliveryId);
      if (event !== 'push')
        return { kind: 'ignored', deliveryId, reason: `GitHub event '${event.slice(0, 64)}' is not a push` };
      return githubLikePush(parseJson(body, contentType), deliveryId);
    }
    case 'gitea': {
      const deliveryId = deliveryIdOf(headers, 'x-gitea-delivery', body);
      const event = headerOf(headers, 'x-gitea-event') ?? headerOf(headers, 'x-forgejo-event') ?? '';
      if (isChangeEvent(forge, event))
        return readChangeDelivery(forge, event, parseJson(body, contentType), deliveryId);
      if (event !== 'push')
        return { kind: 'ignored', deliveryId, reason: `Gitea event '${event.slice(0, 64)}' is not a push` };
      return githubLikePush(parseJson(body, contentType), deliveryId);
    }
    case 'gitlab': {
      const deliveryId = deliveryIdOf(headers, 'x-gitlab-event-uuid', body);
      const event = headerOf(headers, 'x-gitlab-event') ?? '';
      if (isChangeEvent(forge, event))
        return readChangeDelivery(forge, event, parseJson(body, contentType), deliveryId);
      if (event !== 'Push Hook')
        return { kind: 'ignored', deliveryId, reason: `GitLab event '${event.slice(0, 64)}' is not a Push Hook` };
      const payload = parseJson(body, contentType);
      const ref = stringAt(payload, 'ref', 'body');
      const project = payload.project === undefined ? {} : objectAt(payload.project, 'body.project');
      const repository = payload.repository === undefined ? {} : objectAt(payload.repository, 'body.repository');
      const urls = [
        ...urlsOf(project, ['git_http_url', 'git_ssh_url', 'http_url', 'ssh_url', 'web_url']),
        ...urlsOf(repository, ['git_http_url', 'git_ssh_url', 'url', 'homepage']),
      ];
      if (urls.length === 0) throw new WebhookPayloadError('body.project: no git_http_url, git_ssh_url or web_url');
      if (typeof payload.after === 'string' && ZERO_COMMIT.test(payload.after))
        return { kind: 'ignored', deliveryId, reason: `${ref} was deleted` };
      return {
        kind: 'push',
        deliveryId,
        repositoryUrl: urls[0]!,
        repositoryUrls: urls,
        ref,
        after: afterOf(payload.after),
      };
    }
    case 'gerrit': {
      const deliveryId = deliveryIdOf(headers, null, body);
      const payload = parseJson(body, contentType);
      const type = typeof payload.type === 'string' ? payload.type.slice(0, 64) : '';
      if (isChangeEvent(forge, type)) return readChangeDelivery(forge, type, payload, deliveryId);
      if (type !== 'ref-updated')
        return { kind: 'ignored', deliveryId, reason: `Gerrit event '${type}' is not ref-updated` };
      const update = objectAt(payload.refUpdate, 'body.refUpdate');
      const project = stringAt(update, 'project', 'body.refUpdate');
      const ref = stringAt(update, 'refName', 'body.refUpdate');
      if (typeof update.newRev === 'string' && ZERO_COMMIT.test(update.newRev))
        return { kind: 'ignored', deliveryId, reason: `${ref} was deleted` };
      return {
        kind: 'push',
        deliveryId,
        repositoryUrl: project,
        repositoryUrls: [],
        project,
        ref,
        after: afterOf(update.newRev),
      };
    }
    default: {
      const never: never = forge;
      throw new WebhookPayloadError(`unknown forge ${String(never)}`);
    }
  }
}
