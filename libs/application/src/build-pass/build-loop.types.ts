import type { PackageInfo } from '#domain/package/package-info.js';
import type { GitRepositories } from '#domain/package/git.ports.js';
import type { PackageSource } from '#domain/package/package-source.ports.js';
import type { Mailer, ReviewRunner } from '#domain/package/notification.ports.js';
import type { RpmBuilder } from '#domain/build/build.ports.js';
import type { RepoPublisher } from '#domain/repo/repo.ports.js';
import type { RepoReplicator } from '#domain/repo/replication.ports.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import type { CentralPublisher } from '../remote-publish/central-publisher.js';

/** DLRN's command-line flags for one pass (§2.1). */
export interface PassOptions {
  readonly packageNames: readonly string[];
  readonly projectNames: readonly string[];
  readonly headOnly: boolean;
  readonly dev: boolean;
  readonly local: boolean;
  /** `--run CMD`: run CMD per package instead of building (implies head-only). */
  readonly run: string | null;
  readonly stop: boolean;
  readonly noRepo: boolean;
  readonly sequential: boolean;
  readonly order: boolean;
  readonly buildEnv: Readonly<Record<string, string>>;
  readonly verboseBuild: boolean;
  /** Stops the pass between builds (the daemon's graceful shutdown); started builds finish. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_PASS_OPTIONS: PassOptions = {
  packageNames: [],
  projectNames: [],
  headOnly: false,
  dev: false,
  local: false,
  run: null,
  stop: false,
  noRepo: false,
  sequential: false,
  order: false,
  buildEnv: {},
  verboseBuild: false,
};

/** Everything a build pass talks to; wired by the CLI or the builder daemon. */
export interface BuildLoopDeps {
  readonly config: DlrnConfig;
  /** The packages of the pass: the package source's last answer when there is one. */
  readonly packages: readonly PackageInfo[];
  /**
   * The `pkginfo_driver`, asked for the packages at the start of each pass (absent or null:
   * `packages` is fixed, as read at load).
   */
  readonly packageSource?: PackageSource | null;
  readonly store: EventStore;
  readonly commands: DeciderCommandHandler;
  readonly git: GitRepositories;
  readonly rpm: RpmBuilder;
  readonly publisher: RepoPublisher;
  /** `rsyncdest`: pushes each published repository to the mirror; absent or null when unset. */
  readonly replicator?: RepoReplicator | null;
  /** `[service] publish_to`: offers each new build to the central service; absent or null when unset. */
  readonly central?: CentralPublisher | null;
  /** Null when `smtpserver` is not set. */
  readonly mailer: Mailer | null;
  /** Null when `gerrit` is not set. */
  readonly reviews: ReviewRunner | null;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** This process's name in claims: `[service] builder_id` with host and pid (`claimHolder`). */
  readonly builderId: string;
  /** How long a claim holds without the builder (default 6 h). */
  readonly leaseMs?: number;
  /**
   * One line per event worth telling the operator (a progress line per build), with its facts
   * as fields for the daemons' structured log (the one-shot pass prints the line alone).
   */
  readonly log: (line: string, fields?: Readonly<Record<string, unknown>>) => void;
  /** Releases what the adapters hold (the SMTP pool). */
  readonly close?: () => Promise<void>;
}
