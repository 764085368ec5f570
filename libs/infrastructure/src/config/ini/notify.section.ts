import { isIP } from 'node:net';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';
import { bareHost, RemoteTargetPolicy } from '../../net/remote-target.policy.js';
import { ConfigError } from '../shared/config.error.js';
import { IniOption } from './ini-option.decorator.js';
import { messages } from './ini-value.converters.js';
import { IsAddressList } from './service.section.js';
import { Secret } from './webhooks.section.js';

const MAX_URL_LENGTH = 2048;

/** Why a `webhook_url` is refused, or null: http(s), no credentials, no fragment. */
export function webhookUrlProblem(value: string): string | null {
  if (value.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an http:// or https:// URL, got '${value}'`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `expected an http:// or https:// URL, got '${value}'`;
  // Credentials in a URL end up in logs; the signature authenticates the sender instead.
  if (url.username !== '' || url.password !== '') return 'must not hold a user name or password';
  if (url.hash !== '') return 'must not hold a #fragment';
  return null;
}

/** Standard Webhooks' secret form: `whsec_` then base64 of 24 to 64 random bytes. */
export function webhookSecretProblem(value: string): string | null {
  const body = value.startsWith('whsec_') ? value.slice('whsec_'.length) : null;
  if (body === null || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    return 'expected whsec_<base64> (Standard Webhooks; the value is not shown)';
  }
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < 24 || bytes > 64)
    return `must hold 24 to 64 bytes once decoded, it holds ${bytes} (the value is not shown)`;
  return null;
}

const checked = (name: string, problem: (value: string) => string | null) =>
  ValidateBy(
    { name, validator: { validate: (v: unknown) => v === null || (typeof v === 'string' && problem(v) === null) } },
    { message: (a) => (typeof a.value === 'string' ? (problem(a.value) ?? 'invalid') : 'invalid') },
  );

/**
 * `[notify]` (our own, issue 18 item 4): the outgoing webhook. Every build, repository, vote and
 * promotion event is POSTed to `webhook_url` as a CloudEvent signed per Standard Webhooks.
 */
export class NotifySection {
  /** Empty: no outgoing webhook. */
  @IniOption('webhook_url', 'optional')
  @checked('isWebhookUrl', webhookUrlProblem)
  webhookUrl!: string | null;

  @IniOption('webhook_secret', 'optional')
  @checked('isWebhookSecret', webhookSecretProblem)
  webhookSecret!: string | null;

  /** Attempts per delivery before it is dead-lettered. */
  @IniOption('webhook_max_attempts', 'int', 8)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 100) })
  @Max(100, { message: messages.range(1, 100) })
  webhookMaxAttempts!: number;

  /** Seconds one attempt may take (connection, answer) before it counts as failed. */
  @IniOption('webhook_timeout', 'int', 10)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 300) })
  @Max(300, { message: messages.range(1, 300) })
  webhookTimeout!: number;

  /** Wait after the first failed attempt; doubled after each further one. */
  @IniOption('webhook_retry_delay_ms', 'int', 1000)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 3_600_000) })
  @Max(3_600_000, { message: messages.range(1, 3_600_000) })
  webhookRetryDelayMs!: number;

  /** Longest wait between two attempts. */
  @IniOption('webhook_retry_max_delay_ms', 'int', 300_000)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 86_400_000) })
  @Max(86_400_000, { message: messages.range(1, 86_400_000) })
  webhookRetryMaxDelayMs!: number;

  /**
   * Where the webhook may connect: as `[service] remote_import_allowed_hosts`. Empty: any public
   * address; loopback, link-local and private receivers only when listed.
   */
  @IniOption('webhook_allowed_hosts', 'trimmed-list', [])
  @IsAddressList(true)
  webhookAllowedHosts!: string[];
}

/** The outgoing webhook, when `webhook_url` is set. */
export interface WebhookOutConfig {
  readonly url: URL;
  readonly secret: Secret;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly retryDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly allowedHosts: readonly string[];
}

export interface NotifyConfig {
  readonly webhook: WebhookOutConfig | null;
}

/** Checks what spans keys (a URL needs its secret; an address URL must be allowed) and wraps the secret. */
export function notifyConfig(section: NotifySection, file: string): NotifyConfig {
  const refuse = (key: string, reason: string): never => {
    throw new ConfigError({ file, section: 'notify', key, reason });
  };
  if (section.webhookUrl === null) {
    if (section.webhookSecret !== null) refuse('webhook_secret', 'is set but webhook_url is not');
    return { webhook: null };
  }
  if (section.webhookSecret === null) {
    refuse('webhook_secret', 'is required with webhook_url (Standard Webhooks whsec_<base64>)');
  }
  const url = new URL(section.webhookUrl);
  const host = bareHost(url.hostname);
  if (isIP(host) !== 0) {
    const reason = RemoteTargetPolicy.fromConfig(section.webhookAllowedHosts).refusal(host, host);
    if (reason !== null)
      refuse('webhook_url', `${host} refused: ${reason} (allow it in [notify] webhook_allowed_hosts)`);
  }
  return {
    webhook: {
      url,
      secret: new Secret(section.webhookSecret!),
      maxAttempts: section.webhookMaxAttempts,
      timeoutMs: section.webhookTimeout * 1000,
      retryDelayMs: section.webhookRetryDelayMs,
      retryMaxDelayMs: Math.max(section.webhookRetryDelayMs, section.webhookRetryMaxDelayMs),
      allowedHosts: section.webhookAllowedHosts,
    },
  };
}
