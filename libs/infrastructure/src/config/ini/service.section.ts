import { hostname } from 'node:os';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, Matches, Max, Min, ValidateBy } from 'class-validator';
import { parseAddressEntry } from '../../net/address-list.js';
import { IniOption } from './ini-option.decorator.js';
import { messages } from './ini-value.converters.js';

export const AUTH_DRIVERS = ['DBAuthentication', 'KrbAuthentication'] as const;
export type AuthDriver = (typeof AUTH_DRIVERS)[number];

/** Where a store lives, parsed from its URL. SQLite paths are absolute. */
export type EventStoreTarget =
  | { readonly kind: 'sqlite'; readonly url: string; readonly path: string }
  | { readonly kind: 'kurrentdb'; readonly url: string }
  | { readonly kind: 'postgresql'; readonly url: string };
export type ReadModelStoreTarget = (
  | { readonly kind: 'sqlite'; readonly url: string; readonly path: string }
  | { readonly kind: 'postgresql'; readonly url: string }
) & {
  /** `view_history`: keep every document version, for `as_of` (time travel). */
  readonly history?: boolean;
};

/** Every item of a list option is an IP address or a CIDR block (or, with `hosts`, a host name). */
export const IsAddressList = (hosts: boolean) =>
  ValidateBy(
    {
      name: 'isAddressList',
      validator: {
        validate: (v: unknown) =>
          Array.isArray(v) &&
          v.every((item) => typeof item === 'string' && parseAddressEntry(item, { hosts }) !== null),
      },
    },
    {
      message: (a) => {
        const items = Array.isArray(a.value) ? (a.value as unknown[]) : [a.value];
        const bad = items.find((item) => typeof item !== 'string' || parseAddressEntry(item, { hosts }) === null);
        return `'${String(bad)}' is not an IP address${hosts ? ', a host name' : ''} or a CIDR block (such as 10.0.0.0/8)`;
      },
    },
  );

const EVENT_STORE_URL = /^(sqlite:\/\/\/.+|kurrentdb:\/\/.+|esdb:\/\/.+|postgres(ql)?:\/\/.+)$/;
const READ_MODEL_URL = /^(sqlite:\/\/\/.+|postgres(ql)?:\/\/.+)$/;

/**
 * `[service]`: our own keys (not in DLRN). Store URLs are given as written and, after loading,
 * parsed into `eventStoreTarget` / `readModelStoreTarget` with SQLite paths made absolute.
 */
export class ServiceSection {
  /** Default: `sqlite:///<datadir>/events.sqlite`. */
  @IniOption('event_store', 'string', '')
  @Matches(EVENT_STORE_URL, {
    message: (a) => `expected sqlite:///<path>, postgresql://…, kurrentdb://… or esdb://…, got '${String(a.value)}'`,
  })
  eventStore!: string;
  eventStoreTarget!: EventStoreTarget;

  /** Default: `sqlite:///<datadir>/views.sqlite`. */
  @IniOption('read_model_store', 'string', '')
  @Matches(READ_MODEL_URL, {
    message: (a) => `expected sqlite:///<path> or postgresql://…, got '${String(a.value)}'`,
  })
  readModelStore!: string;
  readModelStoreTarget!: ReadModelStoreTarget;

  @IniOption('api_host', 'string', '127.0.0.1')
  @IsNotEmpty({ message: messages.notEmpty })
  apiHost!: string;

  @IniOption('api_port', 'int', 5000)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.range(1, 65535) })
  @Max(65535, { message: messages.range(1, 65535) })
  apiPort!: number;

  /**
   * Keep every version of every view document, so that `as_of` answers at any depth (time
   * travel). Off: rebuilds about 9x faster and a tenth of the disk, and `as_of` answers 501.
   */
  @IniOption('view_history', 'bool', true)
  @IsBoolean({ message: messages.boolean })
  viewHistory!: boolean;

  /** DLRN API's PROTECT_READ_ENDPOINTS. */
  @IniOption('protect_read_endpoints', 'bool', false)
  @IsBoolean({ message: messages.boolean })
  protectReadEndpoints!: boolean;

  /** DLRN API's AUTHENTICATION_DRIVERS. */
  @IniOption('auth_drivers', 'trimmed-list', ['DBAuthentication'])
  @IsIn(AUTH_DRIVERS, {
    each: true,
    message: (a) => {
      const items = Array.isArray(a.value) ? (a.value as unknown[]) : [a.value];
      const bad = items.filter((item) => !(AUTH_DRIVERS as readonly unknown[]).includes(item));
      return `unknown authentication driver '${bad.map(String).join("', '")}'; expected ${AUTH_DRIVERS.join(' or ')}`;
    },
  })
  authDrivers!: AuthDriver[];

  /** Seconds between polls of upstream and distgit repositories. */
  @IniOption('poll_interval', 'int', 60)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.min(1) })
  pollInterval!: number;

  /**
   * Identifies this builder in build claims; a hostname-like token. Default `<hostname>-<pid>`,
   * unique per process (claims also name host and pid, so a shared configured id is safe too).
   */
  @IniOption('builder_id', 'string', defaultBuilderId())
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    message: (a) => `expected a hostname-like id (letters, digits, '.', '_', '-'), got '${String(a.value)}'`,
  })
  builderId!: string;

  /**
   * Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks). Empty: the
   * client is the TCP peer, and forwarded headers are ignored.
   */
  @IniOption('trusted_proxies', 'trimmed-list', [])
  @IsAddressList(false)
  trustedProxies!: string[];

  /**
   * Hosts `POST /api/remote/import` may fetch from: host names, addresses and CIDR blocks. Empty:
   * any public address; loopback, link-local and private targets only when listed.
   */
  @IniOption('remote_import_allowed_hosts', 'trimmed-list', [])
  @IsAddressList(true)
  remoteImportAllowedHosts!: string[];

  /**
   * Hosts a build may download its spec's URL sources from (spectool's step): host names,
   * addresses and CIDR blocks. Empty: any public address; loopback, link-local and private
   * targets only when listed.
   */
  @IniOption('source_download_allowed_hosts', 'trimmed-list', [])
  @IsAddressList(true)
  sourceDownloadAllowedHosts!: string[];

  /** Seconds one remote import (every download of it) may take in all before it is aborted. */
  @IniOption('remote_import_timeout', 'int', 1800)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.min(1) })
  remoteImportTimeout!: number;

  /**
   * Seconds one git command (clone, fetch, log…) may run before it is killed with its process
   * group: DLRN's fixed `_timeout=3600` by default. A pass refreshes packages concurrently, so one
   * unreachable remote costs this much, not the pass; a site whose remotes answer in seconds can
   * lower it.
   */
  @IniOption('git_timeout', 'int', 3600)
  @IsInt({ message: messages.integer })
  @Min(1, { message: messages.min(1) })
  gitTimeout!: number;

  /**
   * Bisect on its own (issue 20): when a pass records a package's first failure after a success
   * and upstream commits between the two were never built, build the first-parent midpoints
   * until the culprit is found.
   */
  @IniOption('auto_bisect', 'bool', true)
  @IsBoolean({ message: messages.boolean })
  autoBisect!: boolean;

  /**
   * A builder on another host (issue 15): the central service's API base URL. After each pass
   * the builder asks it to import every new successful build (`POST /api/remote/import` with
   * `<baseurl>/<hashed repo>`), as a human running `dlrnapi remote-import` would. Empty: off.
   */
  @IniOption('publish_to', 'string', '')
  @Matches(/^(|https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?)$/, {
    message: (a) =>
      `expected the central API's http(s) base URL, without credentials, query or fragment (such as https://dlrn.example.org), got '${String(a.value)}'`,
  })
  publishTo!: string;

  /** The central service's user (role `import`) for `publish_to`. */
  @IniOption('publish_username', 'string', '') publishUsername!: string;

  /** Its password; never printed. */
  @IniOption('publish_password', 'string', '') publishPassword!: string;
}

/** `<hostname>-<pid>`, with anything a builder id may not hold replaced by `-`. */
function defaultBuilderId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '') || 'builder';
  return `${host}-${process.pid}`;
}
