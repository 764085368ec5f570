import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { buildDecider } from '#domain/build/build.decider.js';
import { RpmBuildError, type RpmBuildOutput } from '#domain/build/build.ports.js';
import { datedCommitRef } from '#domain/build/commit-ref.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventContext } from '#domain/shared/event.js';
import { BuildHistoryReader, REMOTE_IMPORT_BUILDER_PREFIX } from '../build-pass/build-history.reader.js';
import { DEFAULT_PASS_OPTIONS, type BuildLoopDeps } from '../build-pass/build-loop.types.js';
import { claimBuild } from '../build-pass/build-claim.js';
import { CommitBuilder, type ClaimedBuild } from '../build-pass/commit-builder.js';
import { FailureNotifier } from '../build-pass/failure-notifier.js';
import type { Candidate } from '../build-pass/package-discovery.js';
import { PointerKeeper } from '../build-pass/pointer-keeper.js';
import { downloadText } from '#infrastructure/net/http-download.js';
import { downloadCommit, type RemoteNetwork } from './remote-download.js';
import { importDeadline, oneRecordingAtATime } from './import-deadline.js';
import { COMMIT_YAML_LIMITS, fileUrl, parseCommitYaml, parseRepoUrl, type RemoteCommit } from './remote-commit.js';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import {
  DEFAULT_REMOTE_IMPORT_LIMITS,
  type ImportedCommit,
  type RemoteImportLimits,
  type RemoteImportOptions,
  type RemoteImportResult,
  type SkippedCommit,
} from './remote-import.types.js';
import { RepodataCheckedPublisher } from '#infrastructure/repo/repodata-checked.publisher.js';
import { refreshClonesForReview } from './review-clones.js';
import { stagingPrefix, sweepStaleStaging } from './staging-dir.js';

/** The event metadata trigger of everything an import records. */
export const REMOTE_IMPORT_TRIGGER = 'remote-import';

/**
 * DLRN's `import_commit` (§2.3, `dlrn remote`, `POST /api/remote/import`): records builds made
 * by another instance as if they had been built here. The remote `commit.yaml` is validated as
 * a whole, the logs and RPMs are downloaded into a private staging directory, and only then is
 * the build claimed and recorded through the build decider with the build loop's own code
 * (cumulative repository, `current`, failure mail and review). Every connection is checked
 * against the network policy, every RPM is verified in full and the repodata must list exactly
 * the directory's RPMs before anything is published. The claim makes a builder and an import of
 * the same commit exclusive; imports download concurrently and record one at a time in a
 * process (DLRN's `remote.lck`). `consistent` is never moved by an import and no `consistent`
 * vote is added. The whole import is bounded by `options.timeoutMs` and `options.signal`.
 */
export class RemoteImporter {
  private readonly reader: BuildHistoryReader;
  private readonly keeper: PointerKeeper;
  private readonly builder: CommitBuilder;
  private readonly notifier: FailureNotifier;

  private readonly deps: BuildLoopDeps;

  constructor(
    deps: BuildLoopDeps,
    private readonly network: RemoteNetwork,
    private readonly limits: RemoteImportLimits = DEFAULT_REMOTE_IMPORT_LIMITS,
  ) {
    // Publication of a remote build also checks the repodata against the verified RPMs.
    this.deps = { ...deps, publisher: new RepodataCheckedPublisher() };
    this.reader = new BuildHistoryReader(deps.store);
    // The package list as the source last answered it (the spread above copied it once).
    this.keeper = PointerKeeper.forBuildLoop(
      {
        ...this.deps,
        get packages() {
          return deps.packages;
        },
      },
      this.reposDir,
    );
    this.builder = new CommitBuilder(this.deps, DEFAULT_PASS_OPTIONS);
    this.notifier = new FailureNotifier(this.deps);
  }

  private get reposDir(): string {
    return join(this.deps.config.default.datadir, 'repos');
  }

  /** Imports every commit of `<repoUrl>/commit.yaml`; throws RemoteImportError (or a publication error). */
  async import(repoUrl: string, options: RemoteImportOptions = {}): Promise<RemoteImportResult> {
    const base = parseRepoUrl(repoUrl);
    const deadline = importDeadline(options.timeoutMs ?? this.limits.totalTimeoutMs, options.signal);
    try {
      return await this.importFrom(base, options, deadline.signal);
    } finally {
      deadline.dispose();
    }
  }

  private async importFrom(base: URL, options: RemoteImportOptions, signal: AbortSignal): Promise<RemoteImportResult> {
    const text = await downloadText(fileUrl(base, 'commit.yaml'), {
      ...this.network,
      idleTimeoutMs: this.limits.commitYamlTimeoutMs,
      maxBytes: COMMIT_YAML_LIMITS.maxBytes,
      // A small file: the idle timeout alone would let a server drip it for ever.
      signal: AbortSignal.any([AbortSignal.timeout(this.limits.commitYamlTimeoutMs), signal]),
    });
    const commits = parseCommitYaml(text);
    const packages = commits.map((c) => this.packageOf(c));
    const context: EventContext = {
      correlationId: this.deps.ids.next(),
      causationId: options.causationId ?? null,
      actor: options.actor ?? `builder:${this.deps.builderId}`,
      trigger: REMOTE_IMPORT_TRIGGER,
    };
    const imported: ImportedCommit[] = [];
    const skipped: SkippedCommit[] = [];
    for (const [i, commit] of commits.entries()) {
      signal.throwIfAborted();
      const outcome = await this.importCommit(base, commit, packages[i]!, context, signal);
      if ('reason' in outcome) {
        skipped.push(outcome);
        this.deps.log(`skipped ${commit.packageName} ${commit.commitHash.slice(0, 7)}: ${outcome.reason}`);
      } else {
        imported.push(outcome);
        this.deps.log(
          `imported ${commit.packageName} ${commit.commitHash.slice(0, 7)} ${outcome.status} from ${base.href}`,
        );
      }
    }
    return { repoUrl: base.href, imported, skipped };
  }

  private packageOf(commit: RemoteCommit): PackageInfo {
    const pkg = this.deps.packages.find((p) => p.name === commit.packageName);
    if (!pkg) {
      throw new RemoteImportError(
        'REMOTE_PACKAGE_UNKNOWN',
        // The name is not repeated: nothing read from the remote is echoed (SSRF).
        `commit.yaml: commits[${commit.index}].project_name: not a package of this instance's package list`,
      );
    }
    return pkg;
  }

  private async importCommit(
    base: URL,
    commit: RemoteCommit,
    pkg: PackageInfo,
    context: EventContext,
    signal: AbortSignal,
  ): Promise<ImportedCommit | SkippedCommit> {
    const history = await this.reader.catchUp();
    const what = { package: commit.packageName, commitHash: commit.commitHash, distroHash: commit.distroHash };
    const last = history.lastProcessed(pkg.name);
    // DLRN: a build of a newer (or the same) source and dist-git commit is already here.
    if (last && last.commit.dtCommit >= commit.dtCommit && last.commit.dtDistro >= commit.dtDistro) {
      return { ...what, reason: `a newer commit is already built (${last.commit.commitHash.slice(0, 7)})` };
    }
    const finalDir = join(this.reposDir, commit.repoDir);
    // A private sibling of the hashed directory: the publisher links relative to it, and two
    // imports (or an import and a builder) never write into the same staging directory.
    await sweepStaleStaging(dirname(finalDir), basename(finalDir));
    const stagingDir = join(dirname(finalDir), `${stagingPrefix(basename(finalDir))}${randomUUID()}`);
    await mkdir(stagingDir, { recursive: true });
    try {
      const output = await downloadCommit({
        base,
        commit,
        stagingDir,
        signal,
        network: this.network,
        limits: this.limits,
      });
      const recorded = await oneRecordingAtATime(
        () => this.record(base, commit, pkg, stagingDir, output, context),
        signal,
      );
      // Mail and review clones talk to other servers: after the turn, so a slow SMTP server or git
      // remote holds up no other import.
      await recorded.afterwards?.();
      return recorded.outcome;
    } finally {
      await rm(stagingDir, { recursive: true, force: true });
    }
  }

  /** Claims, publishes and records one downloaded and verified commit; moves `current` on success. */
  private async record(
    base: URL,
    commit: RemoteCommit,
    pkg: PackageInfo,
    stagingDir: string,
    output: RpmBuildOutput | RpmBuildError,
    context: EventContext,
  ): Promise<{ readonly outcome: ImportedCommit | SkippedCommit; readonly afterwards?: () => Promise<void> }> {
    const what = { package: commit.packageName, commitHash: commit.commitHash, distroHash: commit.distroHash };
    const claimed = await this.claim(base, commit, pkg, stagingDir, context);
    if (typeof claimed === 'string') return { outcome: { ...what, reason: claimed } };
    // What happened during the download (a builder's result, a mail) counts: the snapshot,
    // the previous status and the mail throttle come from the history as it is now.
    const now = await this.reader.catchUp();
    const previousStatus = now.lastProcessed(pkg.name)?.status ?? null;
    const lastMailAt = now.lastMailAt(pkg.name);
    let result: Awaited<ReturnType<CommitBuilder['record']>>;
    try {
      result = await this.builder.record(claimed, output, now, context);
    } catch (error) {
      // Nothing recorded (the repodata did not check out, the disk refused): give the claim up so
      // a good copy of the same build can be imported at once, not when the lease ends.
      await this.deps.commands
        .handle(claimed.streamId, buildDecider, { type: 'AbandonBuild', buildId: claimed.buildId }, context)
        .catch(() => undefined);
      throw error;
    }
    const row = result.recorded;
    if (result.status === 'SUCCESS') {
      await this.keeper.move('current', row, context);
      // As after a build here (DLRN's process_build_result): `current` follows to the mirror.
      const pushed = await this.deps.replicator?.syncPointers(row.commit.component);
      if (pushed && !pushed.ok) this.deps.log(pushed.error.split('\n', 1)[0] ?? '');
    }
    // A push to the mirror that failed is no packaging failure: nobody is mailed (as DLRN).
    const failed = result.status === 'FAILED' && !result.replicationFailed ? row : undefined;
    return {
      outcome: {
        package: pkg.name,
        commitHash: commit.commitHash,
        distroHash: commit.distroHash,
        extendedHash: commit.extendedHash,
        status: result.status,
        buildId: claimed.buildId,
        repoDir: commit.repoDir,
      },
      ...(failed && {
        afterwards: async () => {
          if (this.deps.reviews) await refreshClonesForReview(this.deps, pkg);
          await this.notifier.notify({ pkg, row: failed, previousStatus, lastMailAt, buildEnv: {}, context });
        },
      }),
    };
  }

  /**
   * The build loop's claim (`claimBuild`) with the import's identity: the claim names the source
   * URL, and BuildStarted carries the remote build time and the `remote` driver. Returns why the
   * commit is skipped when a builder or another import holds or finished it.
   */
  private async claim(
    base: URL,
    commit: RemoteCommit,
    pkg: PackageInfo,
    stagingDir: string,
    context: EventContext,
  ): Promise<ClaimedBuild | string> {
    const candidate: Candidate = {
      package: pkg.name,
      project: pkg.project,
      type: 'rpm',
      ...datedCommitRef(commit),
      commitBranch: commit.commitBranch,
      component: commit.component,
      upstreamUrl: typeof pkg.upstream === 'string' ? pkg.upstream : (pkg.upstream[0] ?? null),
      distgitUrl: pkg['master-distgit'],
      versionsCsv: commit.versionsCsv,
      purpose: { kind: 'commit' },
    };
    const buildId = this.deps.ids.next();
    const outcome = await claimBuild(
      this.deps.commands,
      {
        candidate,
        buildId,
        // One identity per source and process: two processes importing the same URL cannot take
        // each other's claim (the decider lets a builder take over its own); a crashed import's
        // claim holds until its lease ends (it covers recording only, not the download).
        builderId: `${REMOTE_IMPORT_BUILDER_PREFIX}${base.href} (${hostname()}:${process.pid})`,
        now: this.deps.clock.now(),
        leaseMs: this.limits.leaseMs,
        dtBuild: commit.dtBuild,
        workerId: 0,
        driver: 'remote',
      },
      context,
    );
    if (!outcome.claimed) return outcome.reason;
    return {
      candidate,
      pkg,
      streamId: outcome.streamId,
      buildId,
      dtBuild: commit.dtBuild,
      repoDir: commit.repoDir,
      stagingDir,
      workerId: 0,
      context,
    };
  }
}
