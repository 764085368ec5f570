import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BuildHistory } from '#domain/build/build-history.js';
import { isBisectionStep } from '#domain/build/build.events.js';
import type { RpmBuildError, RpmBuildOutput } from '#domain/build/build.ports.js';
import { buildStreamId, packageStreamId } from '#domain/build/commit-ref.js';
import { dependencyOrder, parseSpecDependencies } from '#domain/package/dependency-order.js';
import { buildOrder, runExitCode } from '#domain/package/discovery.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { ListedPackages } from '#domain/package/package-source.ports.js';
import { packageDecider, type PackageCommand } from '#domain/package/package.decider.js';
import { selectPackages } from '#domain/package/selection.js';
import { publicationDecision } from '#domain/repo/snapshot.js';
import { shardedRepoDir } from '#domain/repo/repo-path.js';
import type { EventContext } from '#domain/shared/event.js';
import { BuildHistoryReader } from './build-history.reader.js';
import type { BuildLoopDeps, PassOptions } from './build-loop.types.js';
import { isStoppedLocalHolder } from './claim-holder.js';
import { resetBootstrapped, resetsBootstrapped, usesRepoBootstrap } from './bootstrap-reset.js';
import { CommitBuilder, type BuildResult, type ClaimedBuild } from './commit-builder.js';
import { CulpritLedgerReader, CulpritMails } from './culprit-mails.js';
import { FailureNotifier } from './failure-notifier.js';
import { discoverPackage, type Candidate } from './package-discovery.js';
import { PointerKeeper, type PointedBuild } from './pointer-keeper.js';
import { findSpecFile, specDirectory } from '#infrastructure/rpm/distgit-sources.js';
import { renderSpecForOrdering } from '#infrastructure/rpm/spec-renderer.js';
import { BisectionEngine, type StepLine } from '#application/bisection/bisection-engine.js';
import type { CentralPublisher } from '../remote-publish/central-publisher.js';
import { ChangeBuildRunner, type ChangeBuildResult } from '../change-builds/change-builder.js';

/**
 * Step builds one pass makes at most: ⌈log2 n⌉ ≤ 32 for any n below 4 billion, so a pass ends
 * every bisection it starts, and one that keeps failing transiently cannot hold a pass for ever.
 */
export const MAX_STEP_BUILDS_PER_PASS = 32;

export interface PassReport {
  readonly exitCode: 0 | 1 | 2;
  readonly builds: readonly {
    readonly package: string;
    readonly commitHash: string;
    readonly status: BuildResult['status'];
    readonly notes: string;
    /** Set for a bisection step's build (its step number); such builds never set the exit code. */
    readonly bisectionStep?: number;
  }[];
  readonly skipped: readonly { readonly package: string; readonly reason: string }[];
  /** Builds of proposed changes the pass made after its commit builds (`[changes]` batch mode). */
  readonly changeBuilds: readonly ChangeBuildResult[];
}

/**
 * One run of DLRN's main loop (§1): discover new commits of the selected packages, build them in
 * global commit-date order (`workers` at a time, results recorded in order), publish a
 * repository after each success, move `current`/`consistent`, tell maintainers about failures.
 */
export class BuildPass {
  private readonly reader: BuildHistoryReader;
  private readonly keeper: PointerKeeper;
  private readonly culprits: CulpritLedgerReader;
  private readonly bisections: BisectionEngine;

  constructor(
    private readonly deps: BuildLoopDeps,
    /** Told each bisection step's result as it is recorded (`dlrn bisect` prints them). */
    onStep?: (line: StepLine) => void,
  ) {
    this.reader = new BuildHistoryReader(deps.store);
    this.culprits = new CulpritLedgerReader(deps.store);
    this.keeper = PointerKeeper.forBuildLoop(deps, join(deps.config.default.datadir, 'repos'));
    this.bisections = new BisectionEngine(
      deps,
      this.reader,
      onStep ??
        ((line) =>
          deps.log(
            `${line.package}: bisection step ${line.step}/${line.of}: ${line.commitHash} ${line.status} (${line.verdict})`,
          )),
    );
  }

  private get reposDir(): string {
    return join(this.deps.config.default.datadir, 'repos');
  }

  private context(trigger: string): EventContext {
    return { correlationId: this.deps.ids.next(), causationId: null, actor: `builder:${this.deps.builderId}`, trigger };
  }

  async run(passOptions: PassOptions, trigger = 'cli'): Promise<PassReport> {
    const context = this.context(trigger);
    const options = withDriverEnv(this.deps, passOptions);
    const history = await this.reader.catchUp();
    const refused = await this.listPackages(options);
    const selected = selectPackages(this.deps.packages, options);
    await this.keeper.reconcileWithHistory(this.reader, context);

    const skipped: { package: string; reason: string }[] = [];
    const candidates: Candidate[] = [];
    for (const refusal of refused.filter((r) => isSelected(r.name, options))) {
      skipped.push({ package: refusal.name, reason: refusal.reason });
      this.deps.log(`skipping ${refusal.name}: ${refusal.reason}`, {
        kind: 'skip',
        package: refusal.name,
        reason: refusal.reason,
      });
      if (options.run === null)
        await this.recordPackageFact(
          { type: 'RecordSkip', data: { package: refusal.name, reason: refusal.reason } },
          context,
        );
    }
    // Refresh (clone/fetch, checkout, branch checks, discovery) runs `workers` packages at a
    // time, as DLRN's pool does; what it finds is recorded below in DLRN's order, one package
    // after another, as if the refreshes had run in turn.
    const refreshWorkers = options.sequential ? 1 : Math.max(1, this.deps.config.default.workers);
    const outcomes = await settledInOrder(selected, refreshWorkers, (pkg) => {
      this.deps.log(refreshLine(pkg, options), {
        kind: 'refresh',
        package: pkg.name,
        upstream: pkg.upstream ?? null,
        distgit: pkg['master-distgit'] ?? null,
      });
      return discoverPackage(this.deps, history, pkg, options);
    });
    for (const [index, pkg] of selected.entries()) {
      const settled = outcomes[index]!;
      if (settled.status === 'rejected') throw settled.reason;
      const outcome = settled.value;
      if (outcome.kind === 'skipped') {
        skipped.push({ package: pkg.name, reason: outcome.reason });
        this.deps.log(`skipping ${pkg.name}: ${outcome.reason}`, {
          kind: 'skip',
          package: pkg.name,
          reason: outcome.reason,
        });
        if (options.run === null)
          await this.recordPackageFact(
            { type: 'RecordSkip', data: { package: pkg.name, reason: outcome.reason } },
            context,
          );
        continue;
      }
      if (
        outcome.kind === 'rewritten' &&
        options.run === null &&
        !history.wasRewritten(pkg.name, outcome.knownCommit)
      ) {
        this.deps.log(
          `${pkg.name}: history of ${outcome.branch} was rewritten; ${outcome.knownCommit.slice(0, 7)} is gone, building the new HEAD`,
        );
        await this.recordPackageFact(
          {
            type: 'RecordHistoryRewrite',
            data: {
              package: pkg.name,
              repository: 'source',
              branch: outcome.branch,
              knownCommit: outcome.knownCommit,
              newHead: outcome.newHead,
            },
          },
          context,
        );
      }
      candidates.push(...outcome.candidates);
    }
    await this.writeSkiplist(skipped);
    if (options.run !== null) return this.runCommand(options.run, candidates, skipped);

    const queue = buildOrder(this.withPending(history, selected, candidates));
    const bootstrapped: PackageInfo[] = [];
    const ordered = options.order ? await this.dependencyOrdered(queue, selected, bootstrapped) : queue;
    const results = await this.buildAll(ordered, selected, options, history, context);
    // DLRN's `--order` ends by setting the packages built with repo_bootstrap to RETRY (not after a --stop).
    if (resetsBootstrapped(options) && !(options.stop && results.some((r) => r.status !== 'SUCCESS')))
      await resetBootstrapped(this.deps, await this.reader.catchUp(), bootstrapped, context);
    if (!options.dev) {
      const stopped = options.stop && results.some((r) => r.bisectionStep === undefined && r.status !== 'SUCCESS');
      await this.bisections.bisectBreakages(selected, context);
      if (!stopped) results.push(...(await this.buildSteps(selected, options, history, context)));
    }
    // Change builds (issue 18, batch mode) after every commit build of the pass: commit builds keep priority.
    const changeBuilds =
      !options.dev && !options.signal?.aborted
        ? await new ChangeBuildRunner(this.deps).runBatch(selected, options, context)
        : [];
    await new CulpritMails(this.deps, this.culprits).sendDue(context);
    if (this.deps.central && !options.dev && !options.noRepo) await this.publishToCentral(this.deps.central, context);
    const exitCode = runExitCode(
      results
        .filter((r) => r.bisectionStep === undefined)
        .map((r) => r.status)
        .filter((s): s is 'SUCCESS' | 'FAILED' | 'RETRY' => s !== 'SKIPPED'),
    );
    return { exitCode, builds: results, skipped, changeBuilds };
  }

  /**
   * Builds the pending bisection steps of the selected packages, each result moving its
   * bisection on (the next step, or its end), until none is pending, each pending one was tried
   * once in this pass (a RETRY waits for the next pass), or MAX_STEP_BUILDS_PER_PASS were built.
   */
  private async buildSteps(
    selected: readonly PackageInfo[],
    options: PassOptions,
    history: BuildHistory,
    context: EventContext,
  ): Promise<PassReport['builds'][number][]> {
    const names = new Set(selected.map((pkg) => pkg.name));
    const tried = new Set<string>();
    const results: PassReport['builds'][number][] = [];
    while (!options.signal?.aborted) {
      const pending = (await this.bisections.advance(names, context)).filter(
        (step) => !tried.has(buildStreamId(step.package, step)),
      );
      const budget = MAX_STEP_BUILDS_PER_PASS - results.length;
      if (pending.length === 0 || budget <= 0) break;
      const batch = buildOrder(pending).slice(0, budget);
      for (const step of batch) tried.add(buildStreamId(step.package, step));
      results.push(...(await this.buildAll(batch, selected, options, history, context)));
    }
    return results;
  }

  /** `dlrn bisect`: builds the pending steps of one package's bisections, nothing else. */
  /** The pass's builds stand whatever the central service does: its failures are logged only. */
  private async publishToCentral(central: CentralPublisher, context: EventContext): Promise<void> {
    try {
      await central.publishPending(context);
    } catch (error) {
      this.deps.log(`publish: stopped: ${(error as Error).message}`);
    }
  }

  async runSteps(packageName: string, options: PassOptions, trigger = 'cli'): Promise<PassReport['builds']> {
    const context = this.context(trigger);
    const history = await this.reader.catchUp();
    await this.listPackages(options);
    const selected = this.deps.packages.filter((pkg) => pkg.name === packageName);
    return this.buildSteps(selected, options, history, context);
  }

  /**
   * `--order`: packages sorted so that each comes after those providing its BuildRequires and
   * Requires (read from the dist-git specs as `rpmspec -P` renders them), commits in time order
   * within a package; packages whose spec cannot be read go last. Those whose spec uses
   * `repo_bootstrap` are added to `bootstrapped`.
   */
  private async dependencyOrdered(
    queue: readonly Candidate[],
    selected: readonly PackageInfo[],
    bootstrapped: PackageInfo[],
  ): Promise<Candidate[]> {
    const specs = [];
    for (const pkg of selected.filter((p) => queue.some((c) => c.package === p.name))) {
      try {
        const dir = specDirectory(
          join(this.deps.config.default.datadir, `${pkg.name}_distro`),
          (pkg['distgit-path'] as string | undefined) ?? null,
        );
        // Rendered by rpm as DLRN does; builds that are not on this host (mock, koji, copr) are
        // sandboxed, so their specs' shell and Lua macros are not run here.
        const specPath = join(dir, await findSpecFile(dir));
        if (usesRepoBootstrap(await readFile(specPath, 'utf8'))) bootstrapped.push(pkg);
        const spec = await renderSpecForOrdering(specPath, {
          sandboxed: this.deps.config.default.buildDriverName !== 'rpmbuild',
        });
        if (spec.reason !== null) this.deps.log(`--order: the spec of ${pkg.name}: ${spec.reason}`);
        specs.push(parseSpecDependencies(pkg.name, spec.text));
      } catch (error) {
        this.deps.log(`--order: cannot read the spec of ${pkg.name}: ${(error as Error).message}`);
      }
    }
    const { order, cycles } = dependencyOrder(specs);
    for (const cycle of cycles) this.deps.log(`--order: dependency cycle ${cycle.join(' -> ')}, broken arbitrarily`);
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    return [...queue].sort((a, b) => rank(a.package) - rank(b.package) || a.dtCommit - b.dtCommit);
  }

  /** Commits discovered earlier but never built (an interrupted pass) join the queue. */
  private withPending(
    history: BuildHistory,
    selected: readonly PackageInfo[],
    candidates: readonly Candidate[],
  ): Candidate[] {
    const names = new Set(selected.map((p) => p.name));
    const seen = new Set(candidates.map((c) => `${c.package}@${c.commitHash}_${c.distroHash}_${c.extendedHash}`));
    const queue = [...candidates];
    for (const pending of history.pendingBuilds()) {
      const c = pending.commit;
      const key = `${c.package}@${c.commitHash}_${c.distroHash}_${c.extendedHash}`;
      if (!names.has(c.package) || seen.has(key)) continue;
      if (
        pending.claim &&
        pending.claim.builderId !== this.deps.builderId &&
        Date.parse(pending.claim.leaseExpiresAt) > this.deps.clock.now().getTime() &&
        !isStoppedLocalHolder(pending.claim.builderId)
      )
        continue;
      seen.add(key);
      queue.push(c);
    }
    return queue;
  }

  private async buildAll(
    ordered: readonly Candidate[],
    selected: readonly PackageInfo[],
    options: PassOptions,
    history: BuildHistory,
    context: EventContext,
  ): Promise<PassReport['builds'][number][]> {
    const builder = new CommitBuilder(this.deps, options);
    const notifier = new FailureNotifier(this.deps, this.culprits);
    const workers = options.sequential || options.order ? 1 : Math.max(1, this.deps.config.default.workers);
    const byName = new Map(selected.map((p) => [p.name, p]));
    type Job = {
      readonly candidate: Candidate;
      started: Promise<{ claimed: ClaimedBuild | null; output: RpmBuildOutput | RpmBuildError | null }> | null;
    };
    const jobs: Job[] = ordered.map((candidate) => ({ candidate, started: null }));
    let nextWorker = 0;
    const start = (job: Job): void => {
      const workerId = (nextWorker++ % workers) + 1;
      job.started = (async () => {
        const claimed = await builder.claim(job.candidate, byName.get(job.candidate.package)!, workerId, context);
        return claimed ? await builder.build(claimed) : { claimed, output: null };
      })();
    };
    const results: PassReport['builds'][number][] = [];
    for (let i = 0; i < jobs.length; i++) {
      if (!options.signal?.aborted) {
        for (let k = i; k < Math.min(jobs.length, i + workers); k++) if (!jobs[k]!.started) start(jobs[k]!);
      }
      const job = jobs[i]!;
      if (!job.started) break;
      const t0 = Date.now();
      const { claimed, output } = await job.started!;
      const pkg = byName.get(job.candidate.package)!;
      if (!claimed || !output) {
        results.push({
          package: pkg.name,
          commitHash: job.candidate.commitHash,
          status: 'SKIPPED',
          notes: 'built or claimed elsewhere',
        });
        continue;
      }
      const previousStatus = history.lastProcessed(pkg.name)?.status ?? null;
      const step = job.candidate.purpose.kind === 'bisection' ? job.candidate.purpose.step : undefined;
      const lastMailAt = history.lastMailAt(pkg.name);
      const result = await builder.record(claimed, output, history, context);
      const row = result.recorded;
      // The next build's snapshot, previous status and mail throttle need this result and what
      // other builders recorded meanwhile: the history follows the log (the row above does not).
      await this.reader.catchUp();
      const seconds = (Date.now() - t0) / 1000;
      this.deps.log(
        `[${i + 1}/${jobs.length}] ${pkg.name} ${job.candidate.commitHash.slice(0, 7)}${step === undefined ? '' : ` (bisection step ${step})`} ${result.status} (${seconds.toFixed(1)} s)${result.status === 'SUCCESS' ? '' : `: ${firstLine(result.notes)}`}`,
        {
          package: pkg.name,
          commit: job.candidate.commitHash,
          status: result.status,
          seconds: Math.round(seconds * 10) / 10,
          ...(step === undefined ? {} : { bisectionStep: step }),
        },
      );
      if (isBisectionStep(job.candidate)) {
        // A step is a real build that moves no pointer and mails nobody: its bisection reads it.
        results.push({
          package: pkg.name,
          commitHash: job.candidate.commitHash,
          status: result.status,
          notes: result.notes,
          bisectionStep: step,
        });
        continue;
      }
      if (result.status === 'SUCCESS') {
        const decision = publicationDecision({
          failures: row.failures ?? 0,
          publicationFailed: false,
          devMode: options.dev,
        });
        // Other builders may have recorded newer results meanwhile: the pointers go to the last
        // ones in the log, read under the pointer's lock, as `reconcile` reads them (components:
        // the last ones of this build's component).
        const latest = (pick: () => PointedBuild | null) => async () => {
          await this.reader.catchUp();
          return pick() ?? row;
        };
        if (decision.moveCurrent)
          await this.keeper.moveToLatest(
            'current',
            latest(() => this.reader.history.lastSuccess(row.commit.component)),
            context,
            true,
            row.commit.component,
          );
        if (decision.moveConsistent)
          await this.keeper.moveToLatest(
            'consistent',
            latest(() => this.reader.lastConsistentBuiltHere(row.commit.component)),
            context,
            decision.consistentVote,
            row.commit.component,
          );
        // DLRN's sync_symlinks: the links follow their repositories to the mirror; a failure is
        // only reported (the next build's push brings them up to date).
        const pushed = await this.deps.replicator?.syncPointers(row.commit.component);
        if (pushed && !pushed.ok) this.deps.log(`  ${firstLine(pushed.error)}`);
      } else if (result.replicationFailed) {
        // DLRN sends no mail for it: the package built; the mirror is the operators' business.
        this.deps.log(`  ${result.notes}`);
      } else if (result.status === 'FAILED') {
        await notifier.notify({ pkg, row, previousStatus, lastMailAt, buildEnv: options.buildEnv, context });
      }
      results.push({
        package: pkg.name,
        commitHash: job.candidate.commitHash,
        status: result.status,
        notes: result.notes,
      });
      if (options.stop && result.status !== 'SUCCESS') break;
    }
    return results;
  }

  /** `--run CMD`: DLRN runs `CMD <target> <pkg> <outdir> <datadir> <baseurl> <distgit>` per package; nothing is recorded. */
  private async runCommand(
    command: string,
    candidates: readonly Candidate[],
    skipped: PassReport['skipped'],
  ): Promise<PassReport> {
    const [file, ...args] = command.split(/\s+/).filter(Boolean);
    const d = this.deps.config.default;
    const builds: PassReport['builds'][number][] = [];
    let exitCode: 0 | 1 = 0;
    for (const c of candidates) {
      const outdir = join(
        this.reposDir,
        shardedRepoDir({
          commitHash: c.commitHash,
          distroHash: c.distroHash,
          extendedHash: c.extendedHash,
          component: c.component,
        }),
      );
      await mkdir(outdir, { recursive: true });
      try {
        await promisify(execFile)(file!, [
          ...args,
          d.target ?? '',
          c.package,
          outdir,
          d.datadir,
          d.baseurl ?? '',
          join(d.datadir, `${c.package}_distro`),
        ]);
        builds.push({ package: c.package, commitHash: c.commitHash, status: 'SUCCESS', notes: 'OK' });
      } catch (error) {
        exitCode = 1;
        builds.push({
          package: c.package,
          commitHash: c.commitHash,
          status: 'FAILED',
          notes: (error as Error).message,
        });
      }
    }
    return { exitCode, builds, skipped, changeBuilds: [] };
  }

  /**
   * DLRN's getpackages at the start of the pass: the package source (rdoinfo, gitrepo, local)
   * may fetch its repository; `deps.packages` then holds its answer. The packages it found and
   * cannot build are returned, to be skipped as DLRN skips a package whose clone failed.
   */
  private async listPackages(options: PassOptions): Promise<ListedPackages['refused']> {
    const source = this.deps.packageSource;
    if (!source) return [];
    return (await source.list({ dev: options.dev, local: options.local })).refused;
  }

  private async writeSkiplist(skipped: PassReport['skipped']): Promise<void> {
    await mkdir(this.reposDir, { recursive: true });
    await writeFile(join(this.reposDir, 'skiplist.txt'), skipped.map((s) => `${s.package}\n`).join(''));
  }

  private async recordPackageFact(command: PackageCommand, context: EventContext): Promise<void> {
    await this.deps.commands.handle(packageStreamId(command.data.package), packageDecider, command, context);
  }

  /** The history as of now (for `--status`, `--recheck`). */
  async history(): Promise<BuildHistory> {
    return this.reader.catchUp();
  }
}

/** DLRN's build.py: the local driver's spec is used as it is (DLRN_KEEP_SPEC_AS_IS). */
function withDriverEnv(deps: BuildLoopDeps, options: PassOptions): PassOptions {
  if (deps.config.default.pkginfoDriverName !== 'local') return options;
  return { ...options, buildEnv: { ...options.buildEnv, DLRN_KEEP_SPEC_AS_IS: '1' } };
}

/** Whether `--package-name`/`--project-name` select a package (a gitrepo package's project is its name). */
function isSelected(name: string, options: PassOptions): boolean {
  const wanted = options.packageNames.length > 0 ? options.packageNames : options.projectNames;
  return wanted.length === 0 || wanted.includes(name);
}

/** `work` over `items`, at most `bound` at a time; every result (or error) in the items' order. */
async function settledInOrder<T, R>(
  items: readonly T[],
  bound: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]!) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(bound, items.length) }, worker));
  return results;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** What a package's refresh fetches, said before it starts (a long step says what it does). */
function refreshLine(pkg: PackageInfo, options: PassOptions): string {
  if (options.local) return `refreshing ${pkg.name}: local clones as they are (--local)`;
  const upstream = Array.isArray(pkg.upstream) ? pkg.upstream.join(', ') : pkg.upstream;
  return `refreshing ${pkg.name}: fetching ${upstream || '(no upstream)'} and ${pkg['master-distgit'] || '(no dist-git)'}`;
}
