import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { RpmBuildError, type RpmBuildOutput } from '#domain/build/build.ports.js';
import { releaseNumbering } from '#domain/build/release.js';
import { changeBuildDecider, type ChangeBuildOutcome } from '#domain/change/change.decider.js';
import { changeRepoPath, type ChangeBuildKey, type ChangeBuildRequested } from '#domain/change/change.events.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventContext } from '#domain/shared/event.js';
import { withCloneLock } from '#infrastructure/git/clone-lock.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';
import type { BuildLoopDeps, PassOptions } from '../build-pass/build-loop.types.js';
import { distTag } from '../build-pass/commit-builder.js';
import { queuedChangeBuilds } from './change-queue.js';
import { ChangeStatusReporter, type ChangeStatusState } from './change-status.js';

const run = promisify(execFile);
const DEFAULT_LEASE_MS = 6 * 3600_000;

export interface ChangeBuildResult {
  readonly package: string;
  readonly forge: string;
  readonly change: string;
  readonly patchset: number;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly notes: string;
}

/** A change that cannot be built for a reason of its own (not fetched, ref moved): FAILED with that reason. */
class ChangeBuildError extends Error {}

/**
 * Batch mode (issue 18 items 2 and 3): after a pass's commit builds, take at most
 * `[changes] batch_size` queued change builds of the pass's packages (the newest patch set of each
 * change, oldest request first) and build each as a scratch build: the change's head fetched from
 * its ref into the package's clone (under the clone's lock), the same RPM pipeline and driver as
 * commit builds, output in `<datadir>/repos/changes/<forge>/<change>/<patchset>/<package>` with
 * repodata and a `.repo` file listing it and `consistent`. Nothing here moves `current` or
 * `consistent`, or is recorded in a build stream: change builds have their own streams.
 */
export class ChangeBuildRunner {
  private readonly git = new GitCommandRunner();
  private readonly status: ChangeStatusReporter | null;

  constructor(private readonly deps: BuildLoopDeps) {
    const status = deps.config.changes.status;
    this.status = status === null ? null : new ChangeStatusReporter(status, (line) => deps.log(line));
  }

  /** Under `baseurl`: where a CI job or a reviewer finds the repository or the log. */
  private urlOf(path: string | null): string | null {
    const base = this.deps.config.default.baseurl;
    if (path === null || !base) return null;
    return `${base.replace(/\/+$/, '')}/${path.replace(/^repos\//, '')}`;
  }

  private async report(
    request: ChangeBuildRequested['data'],
    pkg: PackageInfo,
    state: ChangeStatusState,
    targetPath: string | null,
    description: string,
  ): Promise<void> {
    await this.status?.report(request, pkg.project, state, {
      targetUrl: this.urlOf(targetPath),
      description: description.split('\n', 1)[0]!.slice(0, 140),
    });
  }

  async runBatch(
    selected: readonly PackageInfo[],
    options: PassOptions,
    context: EventContext,
  ): Promise<ChangeBuildResult[]> {
    const changes = this.deps.config.changes;
    if (!changes.enabled) return [];
    const byName = new Map(selected.map((pkg) => [pkg.name, pkg]));
    const queue = await queuedChangeBuilds(this.deps.store, new Set(byName.keys()), this.deps.clock.now());
    const results: ChangeBuildResult[] = [];
    for (const item of queue) {
      if (results.length >= changes.batchSize || options.signal?.aborted) break;
      const result = await this.buildOne(
        item.streamId,
        item.stoppedHolder,
        item.request,
        byName.get(item.request.package)!,
        options,
        context,
      );
      if (result !== null) results.push(result);
    }
    return results;
  }

  private async buildOne(
    streamId: string,
    stoppedHolder: string | undefined,
    request: ChangeBuildRequested['data'],
    pkg: PackageInfo,
    options: PassOptions,
    context: EventContext,
  ): Promise<ChangeBuildResult | null> {
    const { patchset } = request;
    const key: ChangeBuildKey = {
      forge: request.forge,
      change: request.change,
      package: request.package,
      side: request.side,
    };
    const start = await this.deps.commands.handle(
      streamId,
      changeBuildDecider,
      {
        type: 'StartChangeBuild',
        data: {
          patchset,
          builderId: this.deps.builderId,
          now: this.deps.clock.now(),
          leaseMs: this.deps.leaseMs ?? DEFAULT_LEASE_MS,
          ...(stoppedHolder === undefined ? {} : { stoppedHolder }),
        },
      },
      context,
    );
    if (start.events.length === 0) return null; // another builder took it, or a newer patch set came
    const label = `${pkg.name} ${request.forge} change ${request.change} patch set ${patchset}`;
    this.deps.log(`building ${label} (${request.side} ${request.headSha.slice(0, 7)})`);
    await this.report(request, pkg, 'pending', null, `building patch set ${patchset}`);
    const outcome = await this.build(key, request, pkg, options);
    await this.deps.commands.handle(
      streamId,
      changeBuildDecider,
      { type: 'CompleteChangeBuild', data: { patchset, builderId: this.deps.builderId, outcome } },
      context,
    );
    const status = outcome.status === 'success' ? 'SUCCESS' : 'FAILED';
    const notes = outcome.status === 'success' ? outcome.repoPath : outcome.reason;
    this.deps.log(`${label} ${status}: ${notes.split('\n', 1)[0]}`);
    if (outcome.status === 'success')
      await this.report(request, pkg, 'success', `${outcome.repoPath}/`, `built ${outcome.nvr}`);
    else await this.report(request, pkg, 'failure', outcome.logPath, outcome.reason);
    return { package: pkg.name, forge: request.forge, change: request.change, patchset, status, notes };
  }

  private async build(
    key: ChangeBuildKey,
    request: ChangeBuildRequested['data'],
    pkg: PackageInfo,
    options: PassOptions,
  ): Promise<ChangeBuildOutcome> {
    const d = this.deps.config.default;
    const repoPath = changeRepoPath(key, request.patchset);
    const finalDir = join(d.datadir, repoPath);
    const stagingDir = join(dirname(finalDir), `.staging-${basename(finalDir)}-${this.deps.ids.next()}`);
    const upstreamClone = join(d.datadir, pkg.name);
    const distgitClone = join(d.datadir, `${pkg.name}_distro`);
    let scratch: string | null = null;
    try {
      // What an earlier attempt left (a builder killed mid-build): this start holds the build now.
      const prefix = `.staging-${basename(finalDir)}-`;
      for (const name of await readdir(dirname(finalDir)).catch(() => [] as string[]))
        if (name.startsWith(prefix)) await rm(join(dirname(finalDir), name), { recursive: true, force: true });
      await mkdir(stagingDir, { recursive: true });
      const clone = request.side === 'upstream' ? upstreamClone : distgitClone;
      if (!existsSync(join(clone, '.git')))
        throw new ChangeBuildError(`${clone} is not cloned yet: a commit pass of ${pkg.name} clones it first`);
      await withCloneLock(clone, () => this.fetchHead(clone, request));
      let sourceDir = upstreamClone;
      let commitHash = request.headSha;
      let distgitDir = distgitClone;
      if (request.side === 'distgit') {
        // The dist-git clone's working tree belongs to commit builds: the change's tree is checked
        // out in a clone of its own, sharing the objects; upstream stays where the clone's HEAD is.
        commitHash = (
          await withCloneLock(upstreamClone, () => this.git.run(upstreamClone, ['rev-parse', 'HEAD']))
        ).trim();
        scratch = await mkdtemp(join(tmpdir(), 'dlrn-change-'));
        distgitDir = join(scratch, `${pkg.name}_distro`);
        await this.git.run(scratch, ['clone', '-q', '--shared', '--no-checkout', distgitClone, distgitDir]);
        await this.git.run(distgitDir, ['checkout', '-q', '--detach', request.headSha]);
        sourceDir = upstreamClone;
      }
      const output: RpmBuildOutput | RpmBuildError = await this.deps.rpm
        .build({
          packageName: pkg.name,
          sourceDir,
          commitHash,
          distgitDir,
          distgitPath: (pkg['distgit-path'] as string | undefined) ?? null,
          dtBuild: Math.floor(this.deps.clock.now().getTime() / 1000),
          releaseNumbering: releaseNumbering(d.releaseNumbering),
          releaseMinor: d.releaseMinor,
          dist: distTag(d.target),
          keepChangelog: d.keepChangelog,
          outputDir: stagingDir,
          workerId: 1,
          env: options.buildEnv,
          verbose: options.verboseBuild,
          additionalOptions: [],
        })
        .catch((error: unknown) =>
          error instanceof RpmBuildError
            ? error
            : new RpmBuildError(`Error building ${pkg.name}: ${(error as Error).message}`),
        );
      if (output instanceof RpmBuildError) {
        await this.place(stagingDir, finalDir);
        return { status: 'failure', reason: output.notes, logPath: `${repoPath}/rpmbuild.log` };
      }
      const args = d.includeSrpmInRepo ? [stagingDir] : ['-x', '*.src.rpm', stagingDir];
      await run('createrepo_c', args, { maxBuffer: 16 * 1024 * 1024 });
      const repoFile = `${d.reponame ?? 'delorean'}.repo`;
      await writeFile(join(stagingDir, repoFile), await this.repoFile(key, request, repoPath));
      await this.place(stagingDir, finalDir);
      return { status: 'success', repoPath, rpms: [...output.rpms].sort(), nvr: output.nvr, repoFile };
    } catch (error) {
      const reason =
        error instanceof ChangeBuildError ? error.message : `Error building ${pkg.name}: ${(error as Error).message}`;
      if (!existsSync(stagingDir)) return { status: 'failure', reason, logPath: null };
      const log = existsSync(join(stagingDir, 'rpmbuild.log')) ? 'rpmbuild.log' : 'notes.log';
      await writeFile(join(stagingDir, 'notes.log'), `${reason}\n`);
      const placed = await this.place(stagingDir, finalDir).then(
        () => true,
        () => false,
      );
      return { status: 'failure', reason, logPath: placed ? `${repoPath}/${log}` : null };
    } finally {
      await rm(stagingDir, { recursive: true, force: true });
      if (scratch !== null) await rm(scratch, { recursive: true, force: true });
    }
  }

  /** `git fetch <url> <ref>` into the clone; the ref must still point at the requested head (or the head be known). */
  private async fetchHead(clone: string, request: ChangeBuildRequested['data']): Promise<void> {
    try {
      await this.git.run(clone, ['fetch', '-q', '--no-tags', request.repositoryUrl, request.fetchRef]);
    } catch (error) {
      throw new ChangeBuildError(
        `cannot fetch ${request.fetchRef} from ${request.repositoryUrl}: ${(error as Error).message}`,
      );
    }
    const fetched = (await this.git.run(clone, ['rev-parse', 'FETCH_HEAD'])).trim();
    if (fetched === request.headSha) return;
    const known = await this.git.run(clone, ['cat-file', '-e', `${request.headSha}^{commit}`]).then(
      () => true,
      () => false,
    );
    if (!known)
      throw new ChangeBuildError(
        `${request.fetchRef} points at ${fetched}, not at the requested ${request.headSha} (a newer patch set replaced it)`,
      );
  }

  /** This repository first, then the repository `consistent` pointed at when the change was built. */
  private async repoFile(
    key: ChangeBuildKey,
    request: ChangeBuildRequested['data'],
    repoPath: string,
  ): Promise<string> {
    const d = this.deps.config.default;
    const reponame = d.reponame ?? 'delorean';
    const base = (d.baseurl ?? '').replace(/\/+$/, '');
    const url = (path: string) => `${base}/${path.replace(/^repos\//, '')}`;
    const section = (name: string, title: string, path: string, priority: number) =>
      [
        `[${name}]`,
        `name=${title}`,
        `baseurl=${url(path)}`,
        'enabled=1',
        'gpgcheck=0',
        `priority=${priority}`,
        '',
      ].join('\n');
    const sections = [
      section(
        `${reponame}-change-${key.forge}-${key.change}-${request.patchset}-${key.package}`,
        `${reponame} ${key.forge} change ${key.change} patch set ${request.patchset} of ${key.package}`,
        repoPath,
        1,
      ),
    ];
    const consistent = join(d.datadir, 'repos', 'consistent');
    const target = await readlink(consistent).catch(() => (existsSync(consistent) ? 'consistent' : null));
    if (target !== null)
      sections.push(section(`${reponame}-consistent`, `${reponame} consistent`, `repos/${target}`, 2));
    return sections.join('\n');
  }

  /** Moves a finished staging directory to its final place, replacing an earlier attempt's. */
  private async place(stagingDir: string, finalDir: string): Promise<void> {
    if (existsSync(finalDir)) await rm(finalDir, { recursive: true, force: true });
    await rename(stagingDir, finalDir);
  }
}
