import { isIP } from 'node:net';
import { IsInt, Max, Min } from 'class-validator';
import { bareHost, RemoteTargetPolicy } from '../../net/remote-target.policy.js';
import { ConfigError } from '../shared/config.error.js';
import { IniOption } from './ini-option.decorator.js';
import { messages } from './ini-value.converters.js';
import { webhookUrlProblem } from './notify.section.js';
import { IsAddressList } from './service.section.js';
import { Secret } from './webhooks.section.js';

/** The placeholders a status URL template may hold; each value is URL-encoded where it goes. */
export const STATUS_URL_PLACEHOLDERS = ['forge', 'change', 'patchset', 'package', 'sha', 'project'] as const;

/**
 * `[changes]` (our own, issue 18 items 2 to 4): builds of proposed changes (pull requests,
 * merge requests, Gerrit patch sets) received by `POST /api/webhooks/{forge}`. Off by default:
 * with `enabled` false the API acknowledges change events and records nothing.
 */
export class ChangesSection {
  /** Whether change events are recorded and built at all. */
  @IniOption('enabled', 'bool', false)
  enabled!: boolean;

  /**
   * Change builds one pass takes at most, after its commit builds (newest patch set of each
   * change only, oldest request first), so a busy upstream cannot starve commit builds.
   */
  @IniOption('batch_size', 'int', 5)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 1000) })
  @Max(1000, { message: messages.range(1, 1000) })
  batchSize!: number;

  /** `dlrn purge` removes change repositories built more than this many days ago. */
  @IniOption('keep_days', 'int', 7)
  @IsInt({ message: messages.integer })
  @Min(0, { message: messages.range(0, 36500) })
  @Max(36500, { message: messages.range(0, 36500) })
  keepDays!: number;

  /**
   * Where each change build's status is POSTed (pending, success, failure): an http(s) URL with
   * `{forge}`, `{change}`, `{patchset}`, `{package}`, `{sha}`, `{project}` placeholders, such as
   * `https://api.github.com/repos/org/{project}/statuses/{sha}`. Empty: no status is reported.
   */
  @IniOption('status_url_template', 'optional')
  statusUrlTemplate!: string | null;

  /** Sent as `Authorization: Bearer <token>`; required with `status_url_template`, never shown. */
  @IniOption('status_token', 'optional')
  statusToken!: string | null;

  /** Where the status may be sent: as `[notify] webhook_allowed_hosts` (empty: public addresses only). */
  @IniOption('status_allowed_hosts', 'trimmed-list', [])
  @IsAddressList(true)
  statusAllowedHosts!: string[];
}

/** The commit-status callback (issue 18 item 4), when `status_url_template` is set. */
export interface ChangeStatusConfig {
  readonly urlTemplate: string;
  readonly token: Secret;
  readonly allowedHosts: readonly string[];
}

export interface ChangesConfig {
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly keepDays: number;
  readonly status: ChangeStatusConfig | null;
}

/** `template` with every placeholder replaced by its value, URL-encoded; unknown placeholders stay (and are refused at load). */
export function expandStatusUrl(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? encodeURIComponent(values[name]!) : whole,
  );
}

export function changesConfig(section: ChangesSection, file: string): ChangesConfig {
  const refuse = (key: string, reason: string): never => {
    throw new ConfigError({ file, section: 'changes', key, reason });
  };
  const base = { enabled: section.enabled, batchSize: section.batchSize, keepDays: section.keepDays };
  if (section.statusUrlTemplate === null) {
    if (section.statusToken !== null) refuse('status_token', 'is set but status_url_template is not');
    return { ...base, status: null };
  }
  const unknown = [...section.statusUrlTemplate.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1]!)
    .find((name) => !(STATUS_URL_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown !== undefined)
    refuse(
      'status_url_template',
      `unknown placeholder {${unknown}} (known: ${STATUS_URL_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
    );
  const sample = expandStatusUrl(
    section.statusUrlTemplate,
    Object.fromEntries(STATUS_URL_PLACEHOLDERS.map((p) => [p, 'x'])),
  );
  const problem = webhookUrlProblem(sample);
  if (problem !== null) refuse('status_url_template', problem);
  if (section.statusToken === null) refuse('status_token', 'is required with status_url_template');
  const host = bareHost(new URL(sample).hostname);
  if (isIP(host) !== 0) {
    const reason = RemoteTargetPolicy.fromConfig(section.statusAllowedHosts).refusal(host, host);
    if (reason !== null)
      refuse('status_url_template', `${host} refused: ${reason} (allow it in [changes] status_allowed_hosts)`);
  }
  return {
    ...base,
    status: {
      urlTemplate: section.statusUrlTemplate,
      token: new Secret(section.statusToken!),
      allowedHosts: section.statusAllowedHosts,
    },
  };
}
