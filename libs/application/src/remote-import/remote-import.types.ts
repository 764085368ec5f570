export interface RemoteImportLimits {
  /** commit.yaml: DLRN's 10 s. */
  readonly commitYamlTimeoutMs: number;
  /** Each log and RPM: DLRN's 45 s (without data, as urlopen's socket timeout). */
  readonly fileTimeoutMs: number;
  readonly maxRpmBytes: number;
  readonly maxLogBytes: number;
  /** How long the import's claim holds if the importing process dies mid-publication. */
  readonly leaseMs: number;
  /** The whole import, every download and verification of it (`[service] remote_import_timeout`). */
  readonly totalTimeoutMs: number;
}

export const DEFAULT_REMOTE_IMPORT_LIMITS: RemoteImportLimits = {
  commitYamlTimeoutMs: 10_000,
  fileTimeoutMs: 45_000,
  maxRpmBytes: 2 * 1024 ** 3,
  maxLogBytes: 512 * 1024 ** 2,
  leaseMs: 600_000,
  totalTimeoutMs: 1_800_000,
};

export interface RemoteImportOptions {
  /** Aborts the import (shutdown, Ctrl-C): downloads stop, the staging directory is removed. */
  readonly signal?: AbortSignal;
  /** The import's total deadline; default the limits' `totalTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Who asked, for the events' metadata (`cli:<user>`, `user:<api user>`); default `builder:<builder_id>`. */
  readonly actor?: string;
  /** The request id when an API call caused the import. */
  readonly causationId?: string;
}

export interface ImportedCommit {
  readonly package: string;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  /** The result as recorded here: a remote failure may be a RETRY under the local `maxretries` rule. */
  readonly status: 'SUCCESS' | 'FAILED' | 'RETRY';
  readonly buildId: string;
  readonly repoDir: string;
}

export interface SkippedCommit {
  readonly package: string;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly reason: string;
}

export interface RemoteImportResult {
  /** The repository URL as imported (normalised: no trailing slash). */
  readonly repoUrl: string;
  readonly imported: readonly ImportedCommit[];
  readonly skipped: readonly SkippedCommit[];
}
