import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BuildOutcome } from '#domain/build/build.commands.js';
import { isBisectionStep } from '#domain/build/build.events.js';
import { buildDecider } from '#domain/build/build.decider.js';
import type { BuildStatus } from '#domain/build/build.state.js';
import type { BuildHistory } from '#domain/build/build-history.js';
import { type CommitRewrite, RpmBuildError, type RpmBuildOutput } from '#domain/build/build.ports.js';
import { commitRef } from '#domain/build/commit-ref.js';
import { releaseNumbering } from '#domain/build/release.js';
import { findTransientError } from '#domain/build/transient-errors.js';
import { nvrOfArtifacts } from '#domain/build/nvr.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { repoFileContents, shardedRepoDir } from '#domain/repo/repo-path.js';
import { computeSnapshot } from '#domain/repo/snapshot.js';
import type { EventContext } from '#domain/shared/event.js';
import type { BuildLoopDeps, PassOptions } from './build-loop.types.js';
import { claimBuild } from './build-claim.js';
import { commitRow } from './commit-row.js';
import { renderCommitYaml } from '#infrastructure/repo/commit-yaml.js';
import { upstreamDir, type Candidate } from './package-discovery.js';
import type { PointedBuild } from './pointer-keeper.js';

const DEFAULT_LEASE_MS = 6 * 3600_000;

/** A claimed commit, ready to build: its stream, build id and where its files go. */
export interface ClaimedBuild {
  readonly candidate: Candidate;
  readonly pkg: PackageInfo;
  readonly streamId: string;
  readonly buildId: string;
  readonly dtBuild: number;
  readonly repoDir: string;
  readonly stagingDir: string;
  readonly workerId: number;
  /** The pass's context, for what the build itself records (a move to another triple). */
  readonly context: EventContext;
}

export interface BuildResult {
  readonly status: 'SUCCESS' | 'FAILED' | 'RETRY' | 'SKIPPED';
  readonly notes: string;
}

/** A build as the append of its result recorded it: what pointers and mail need, no read-back. */
export interface RecordedBuild extends PointedBuild {
  /** For a success: how many packages were failing in the published snapshot. */
  readonly failures: number | null;
}

export interface RecordedResult extends BuildResult {
  readonly status: 'SUCCESS' | 'FAILED' | 'RETRY';
  readonly recorded: RecordedBuild;
  /** FAILED because its repository did not reach `rsyncdest` (built fine, not the packagers' fault). */
  readonly replicationFailed?: boolean;
}

/**
 * One commit through DLRN's pipeline: claim (one builder wins), build into a staging directory,
 * then, in submission order, publish and record. A SUCCESS and its repository are one append;
 * the hashed directory is renamed into place before that append, so a recorded repository is
 * always complete on disk.
 */
export class CommitBuilder {
  constructor(
    private readonly deps: BuildLoopDeps,
    private readonly options: PassOptions,
  ) {}

  private get reposDir(): string {
    return join(this.deps.config.default.datadir, 'repos');
  }

  /** Discovers, claims and starts in one append; null when another builder holds or finished it. */
  async claim(
    candidate: Candidate,
    pkg: PackageInfo,
    workerId: number,
    context: EventContext,
  ): Promise<ClaimedBuild | null> {
    const buildId = this.deps.ids.next();
    const now = this.deps.clock.now();
    const dtBuild = Math.floor(now.getTime() / 1000);
    const outcome = await claimBuild(
      this.deps.commands,
      {
        candidate,
        buildId,
        builderId: this.deps.builderId,
        now,
        leaseMs: this.deps.leaseMs ?? DEFAULT_LEASE_MS,
        dtBuild,
        workerId,
        driver: this.deps.config.default.buildDriverName,
      },
      context,
    );
    if (!outcome.claimed) {
      this.deps.log(`  ${candidate.package} ${candidate.commitHash.slice(0, 7)}: ${outcome.reason}`);
      return null;
    }
    const repoDir = shardedRepoDir(candidate);
    const finalDir = join(this.reposDir, repoDir);
    // One staging directory per build, named for its build id: two processes never share one,
    // even a builder that lost its claim (lease) and still runs. What an interrupted earlier
    // attempt of this commit left is wiped by the next attempt (`build`), which holds the claim.
    const stagingDir = join(dirname(finalDir), `${stagingPrefix(finalDir)}${buildId}`);
    return { candidate, pkg, streamId: outcome.streamId, buildId, dtBuild, repoDir, stagingDir, workerId, context };
  }

  /**
   * Runs the RPM pipeline in the staging directory; never throws for a build failure. Returns the
   * build as it ended: another triple's when the build made a dist-git commit of its own (koji's
   * rhpkg flow), which it then goes on as (`moveTo`).
   */
  async build(claimed: ClaimedBuild): Promise<{ claimed: ClaimedBuild; output: RpmBuildOutput | RpmBuildError }> {
    const d = this.deps.config.default;
    const commit = claimed.candidate.commitHash;
    this.deps.log(
      `building ${claimed.candidate.package} ${commit.slice(0, 7)} with ${d.buildDriverName} (worker ${claimed.workerId})`,
      { package: claimed.candidate.package, commit, driver: d.buildDriverName, worker: claimed.workerId },
    );
    await removeEarlierStaging(claimed.stagingDir, join(this.reposDir, claimed.repoDir));
    await mkdir(claimed.stagingDir, { recursive: true });
    let current = claimed;
    try {
      const output = await this.deps.rpm.build({
        packageName: claimed.candidate.package,
        sourceDir: upstreamDir(d.datadir, claimed.pkg, claimed.candidate.upstreamUrl),
        commitHash: claimed.candidate.commitHash,
        distgitDir: join(d.datadir, `${claimed.candidate.package}_distro`),
        distgitPath: (claimed.pkg['distgit-path'] as string | undefined) ?? null,
        dtBuild: claimed.dtBuild,
        releaseNumbering: releaseNumbering(d.releaseNumbering),
        releaseMinor: d.releaseMinor,
        dist: distTag(d.target),
        keepChangelog: d.keepChangelog,
        outputDir: claimed.stagingDir,
        workerId: claimed.workerId,
        env: this.options.buildEnv,
        verbose: this.options.verboseBuild,
        additionalOptions: this.options.order ? ['-D', 'repo_bootstrap 1'] : [],
        versionFrom: (claimed.pkg['version-from'] as string | undefined) ?? null,
        ...(isBisectionStep(claimed.candidate)
          ? {}
          : {
              followedCommit: {
                distroHash: claimed.candidate.distroHash,
                rewritten: async (rewrite: CommitRewrite) => {
                  current = await this.moveTo(claimed, rewrite);
                },
              },
            }),
      });
      return { claimed: current, output };
    } catch (error) {
      if (error instanceof RpmBuildError) return { claimed: current, output: error };
      return {
        claimed: current,
        output: new RpmBuildError(
          `Error in build_rpm_wrapper for ${claimed.candidate.package}: ${(error as Error).message}`,
        ),
      };
    }
  }

  /**
   * The build made a dist-git commit of its own: the new triple is claimed (same builder, same
   * dtBuild) before the old attempt is moved to it, so no other builder takes the commit the
   * next pass finds. Its result is recorded there, in the new triple's directory.
   */
  private async moveTo(claimed: ClaimedBuild, rewrite: CommitRewrite): Promise<ClaimedBuild> {
    const candidate: Candidate =
      rewrite.hash === 'distro'
        ? { ...claimed.candidate, distroHash: rewrite.distroHash, dtDistro: rewrite.dtDistro }
        : { ...claimed.candidate, extendedHash: rewrite.extendedHash, dtExtended: rewrite.dtExtended };
    commitRef(candidate.commitHash, candidate.distroHash, candidate.extendedHash);
    const buildId = this.deps.ids.next();
    const { context } = claimed;
    const outcome = await claimBuild(
      this.deps.commands,
      {
        candidate,
        buildId,
        builderId: this.deps.builderId,
        now: this.deps.clock.now(),
        leaseMs: this.deps.leaseMs ?? DEFAULT_LEASE_MS,
        dtBuild: claimed.dtBuild,
        workerId: claimed.workerId,
        driver: this.deps.config.default.buildDriverName,
      },
      context,
    );
    if (!outcome.claimed) throw new Error(`the build's dist-git commit cannot be built here: ${outcome.reason}`);
    await this.deps.commands.handle(
      claimed.streamId,
      buildDecider,
      {
        type: 'MoveBuild',
        buildId: claimed.buildId,
        to: {
          toStreamId: outcome.streamId,
          toBuildId: buildId,
          distroHash: candidate.distroHash,
          dtDistro: candidate.dtDistro,
          extendedHash: candidate.extendedHash,
          dtExtended: candidate.dtExtended,
          cause: rewrite.cause,
        },
      },
      context,
    );
    this.deps.log(
      `  ${candidate.package} ${candidate.commitHash.slice(0, 7)}: ${rewrite.cause} made ${rewrite.hash === 'distro' ? rewrite.distroHash : rewrite.extendedHash}, built as that commit`,
    );
    return { ...claimed, candidate, streamId: outcome.streamId, buildId, repoDir: shardedRepoDir(candidate) };
  }

  /** Publishes (success) or files the logs (failure), then records the result. Sequential. */
  async record(
    claimed: ClaimedBuild,
    output: RpmBuildOutput | RpmBuildError,
    history: BuildHistory,
    context: EventContext,
  ): Promise<RecordedResult> {
    const { candidate, streamId, buildId, repoDir } = claimed;
    const recorded = (failures: number | null): RecordedBuild => ({
      buildId,
      repoDir,
      commit: candidate,
      dtBuild: claimed.dtBuild,
      failures,
    });
    const d = this.deps.config.default;
    const finalDir = join(this.reposDir, repoDir);
    // A build that moved to another triple (rhpkg) ends in that triple's directory, elsewhere.
    await mkdir(dirname(finalDir), { recursive: true });
    const complete = (outcome: BuildOutcome) =>
      this.deps.commands.handle(
        streamId,
        buildDecider,
        { type: 'CompleteBuild', buildId, repoDir, outcome, maxRetries: d.maxretries },
        context,
      );
    const row = (status: BuildStatus, artifacts: readonly string[], notes: string) =>
      commitRow({
        commit: candidate,
        dtBuild: claimed.dtBuild,
        status,
        artifacts,
        notes,
        repoDir: upstreamDir(d.datadir, claimed.pkg, candidate.upstreamUrl),
        distgitDir: join(d.datadir, `${candidate.package}_distro`),
      });
    if (output instanceof RpmBuildError) {
      const logFile = join(claimed.stagingDir, 'rpmbuild.log');
      if (!existsSync(logFile)) await writeFile(logFile, `${output.notes}\n`);
      await writeFile(join(claimed.stagingDir, 'notes.log'), `${output.notes}\n`);
      const transientError = findTransientError(await readFile(logFile, 'utf8'));
      await replaceDir(claimed.stagingDir, finalDir);
      const { events } = await complete({ status: 'failure', notes: output.notes, transientError });
      const status = events[0]?.type === 'BuildRetryScheduled' ? 'RETRY' : 'FAILED';
      // DLRN exports every processed build's row, failures included (remote import reads it).
      await writeFile(join(finalDir, 'commit.yaml'), renderCommitYaml(row(status, [], output.notes)));
      return { status, notes: output.notes, recorded: recorded(null) };
    }

    // A build imported from another instance (`dlrn remote`) brings its own `installed` log.
    if (!existsSync(join(claimed.stagingDir, 'installed'))) {
      await writeFile(
        join(claimed.stagingDir, 'installed'),
        `${candidate.package} ${candidate.commitHash} ${candidate.distroHash}\n`,
      );
    }
    const artifacts = output.rpms.map((file) => `repos/${repoDir}/${file}`);
    const nvr = nvrOfArtifacts(artifacts) ?? output.nvr;
    const snapshot = computeSnapshot({
      packages: this.deps.packages.map((p) => ({
        name: p.name,
        upstream: typeof p.upstream === 'string' ? p.upstream : null,
        distgit: p['master-distgit'],
        component: (p.component as string | undefined) ?? null,
      })),
      built: {
        package: candidate.package,
        component: candidate.component,
        build: {
          commitHash: candidate.commitHash,
          distroHash: candidate.distroHash,
          extendedHash: candidate.extendedHash,
          status: 'SUCCESS',
          dtBuild: claimed.dtBuild,
          artifacts,
          nvr,
        },
      },
      history: (name) => history.packageHistory(name),
      useComponents: d.useComponents,
    });
    await this.deps.publisher.publish({
      reposDir: this.reposDir,
      repoDir,
      stagingDir: claimed.stagingDir,
      linkedArtifacts: this.options.noRepo ? [] : snapshot.linkedArtifacts,
      versions: snapshot.rows,
      commitYaml: row('SUCCESS', artifacts, 'OK'),
      repoFile: this.options.noRepo
        ? null
        : {
            name: `${d.reponame ?? 'delorean'}.repo`,
            contents: repoFileContents({
              reponame: d.reponame ?? 'delorean',
              packageName: candidate.package,
              commitHash: candidate.commitHash,
              baseurl: d.baseurl ?? '',
              repoDir,
              component: candidate.component,
            }),
          },
      withRepodata: !this.options.noRepo,
      includeSrpm: d.includeSrpmInRepo,
    });
    // DLRN's sync_repo: a repository that did not reach the mirror is no success. The hashed
    // directory stays (as DLRN leaves it) but the build is FAILED, so no pointer moves to it.
    // Bisection steps are not pushed (they move no pointer, DLRN has none): a mirror's outage
    // must not turn a step that built into a "bad" verdict.
    const replication = isBisectionStep(candidate) ? undefined : await this.deps.replicator?.syncRepo(repoDir);
    if (replication && !replication.ok) {
      const notes = replication.error;
      await appendFile(join(finalDir, 'rpmbuild.log'), `${notes}\n`);
      await writeFile(join(finalDir, 'notes.log'), `${notes}\n`);
      await writeFile(join(finalDir, 'commit.yaml'), renderCommitYaml(row('FAILED', [], notes)));
      await complete({ status: 'failure', notes, transientError: null });
      return { status: 'FAILED', notes, recorded: recorded(null), replicationFailed: true };
    }
    const { events } = await complete({
      status: 'success',
      artifacts,
      nvr,
      publication: {
        package: candidate.package,
        commitHash: candidate.commitHash,
        distroHash: candidate.distroHash,
        extendedHash: candidate.extendedHash,
        component: candidate.component,
        repoDir,
        failures: snapshot.failures,
        packages: snapshot.rows.map((r) => ({
          name: r.project,
          commitHash: r.sourceSha,
          distroHash: r.distSha,
          status: r.status,
          nvr: r.pkgNvr,
        })),
        withRepodata: !this.options.noRepo,
      },
    });
    const published = events.find((e) => e.type === 'RepoPublished');
    return { status: 'SUCCESS', notes: 'OK', recorded: recorded(published?.data.failures ?? snapshot.failures) };
  }
}

/** `%{dist}` from the mock target name: `centos9`/`centos9-stream` → `.el9`, `fedora-…` → `.fc`. */
export function distTag(target: string | null | undefined): string {
  const el = /(?:centos|rhel|redhat|el|almalinux|rocky)[-_]?(?:stream[-_]?)?(\d+)/i.exec(target ?? '');
  if (el) return `.el${el[1]}`;
  const fc = /fedora[-_]?(\d+)/i.exec(target ?? '');
  if (fc) return `.fc${fc[1]}`;
  return '';
}

/** `.staging-<hashed dir>-`: the build id follows. */
function stagingPrefix(finalDir: string): string {
  return `.staging-${basename(finalDir)}-`;
}

/**
 * Removes the staging directories of earlier attempts of this commit (and the one-per-commit
 * `.staging-<hashed dir>` of earlier versions): their builds lost the claim this build holds.
 */
async function removeEarlierStaging(stagingDir: string, finalDir: string): Promise<void> {
  const parent = dirname(finalDir);
  const prefix = stagingPrefix(finalDir);
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    if (name === `.staging-${basename(finalDir)}` || (name.startsWith(prefix) && name !== basename(stagingDir))) {
      await rm(join(parent, name), { recursive: true, force: true });
    }
  }
  await rm(stagingDir, { recursive: true, force: true });
}

/** Moves a finished staging directory into place, replacing an older one atomically enough. */
async function replaceDir(stagingDir: string, finalDir: string): Promise<void> {
  if (existsSync(finalDir)) {
    const aside = `${finalDir}.old-${process.pid}-${Date.now()}`;
    await rename(finalDir, aside);
    await rename(stagingDir, finalDir);
    await rm(aside, { recursive: true, force: true });
    return;
  }
  await rename(stagingDir, finalDir);
}
