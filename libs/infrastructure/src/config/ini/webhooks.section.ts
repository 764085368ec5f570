import { inspect } from 'node:util';
import { ValidateBy } from 'class-validator';
import { IniOption } from './ini-option.decorator.js';

/** Shortest secret accepted: a guessable HMAC key lets anyone trigger refreshes. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** A secret, unset, or long enough; the message never repeats the value. */
const IsWebhookSecret = () =>
  ValidateBy(
    {
      name: 'isWebhookSecret',
      validator: {
        validate: (v: unknown) =>
          v === null || (typeof v === 'string' && v.length >= MIN_WEBHOOK_SECRET_LENGTH && v.length <= 1024),
      },
    },
    {
      message: `must be ${MIN_WEBHOOK_SECRET_LENGTH} to 1024 characters long (the value is not shown), or empty to refuse this forge's webhooks`,
    },
  );

/**
 * `[webhooks]` (our own, issue 18): the shared secret of each forge whose push webhooks
 * `POST /api/webhooks/{forge}` takes. A forge left unset is refused (401). After loading, the
 * values are wrapped in `Secret`s so that no log line, JSON answer or `util.inspect` shows them.
 */
export class WebhooksSection {
  /** GitHub: key of `X-Hub-Signature-256` (HMAC-SHA256 of the raw body). */
  @IniOption('github_secret', 'optional')
  @IsWebhookSecret()
  githubSecret!: string | null;

  /** Gitea (and Forgejo): key of `X-Gitea-Signature` (hex HMAC-SHA256 of the raw body). */
  @IniOption('gitea_secret', 'optional')
  @IsWebhookSecret()
  giteaSecret!: string | null;

  /** GitLab: the value sent as `X-Gitlab-Token`. */
  @IniOption('gitlab_token', 'optional')
  @IsWebhookSecret()
  gitlabToken!: string | null;

  /** Gerrit (stream-events JSON relayed by a webhooks plugin or a script): `Authorization: Bearer <token>`. */
  @IniOption('gerrit_token', 'optional')
  @IsWebhookSecret()
  gerritToken!: string | null;
}

/** A configured secret: `reveal()` gives it; printing, JSON and `util.inspect` give `[secret]`. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}

/** The webhook secrets per forge; null: that forge's webhooks are refused. */
export interface WebhooksConfig {
  readonly github: Secret | null;
  readonly gitea: Secret | null;
  readonly gitlab: Secret | null;
  readonly gerrit: Secret | null;
}

export function webhooksConfig(section: WebhooksSection): WebhooksConfig {
  const secret = (value: string | null) => (value === null ? null : new Secret(value));
  return {
    github: secret(section.githubSecret),
    gitea: secret(section.giteaSecret),
    gitlab: secret(section.gitlabToken),
    gerrit: secret(section.gerritToken),
  };
}
