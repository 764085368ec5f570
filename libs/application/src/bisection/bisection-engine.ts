import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bisectionDecider, maxSteps, type BisectionCommand } from '#domain/bisection/bisection.decider.js';
import { bisectionStreamId, type BisectionEvent } from '#domain/bisection/bisection.events.js';
import type { BisectionState, StartedBisection } from '#domain/bisection/bisection.state.js';
import { failureSignature, sameFailure } from '#domain/bisection/failure-signature.js';
import type { BuildHistory, BuildRow } from '#domain/build/build-history.js';
import { buildDecider } from '#domain/build/build.decider.js';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import { findTransientError } from '#domain/build/transient-errors.js';
import { FirstParentRangeError } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventContext, EventPayload } from '#domain/shared/event.js';
import type { BuildHistoryReader } from '#application/build-pass/build-history.reader.js';
import type { BuildLoopDeps } from '#application/build-pass/build-loop.types.js';
import { upstreamDir } from '#application/build-pass/package-discovery.js';
import { StartBisection } from './start-bisection.js';

type Candidate = CommitDiscovered['data'];

const PAGE = 5000;

/** A step's result as the engine recorded it, for whoever prints them (`dlrn bisect`). */
export interface StepLine {
  readonly bisectionId: string;
  readonly package: string;
  readonly step: number;
  /** ⌈log2 n⌉ for the bisection's n candidates: the most steps it can take. */
  readonly of: number;
  readonly commitHash: string;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly verdict: 'good' | 'bad' | 'skip';
}

/**
 * Bisections as build passes run them. It follows the bisection streams (one per package and
 * good/bad pair), starts one when a pass records a first failure after a success over commits
 * never built (`[service] auto_bisect`), and moves the running ones forward: a finished step
 * build becomes `BisectionStepBuilt` and the next request; a requested step becomes a build
 * stream (`CommitDiscovered` with a bisection purpose) that the pass builds like any pending
 * commit — same claim, lease, retries and crash safety. Every decision goes through the
 * bisection decider, so a pass that crashes anywhere resumes from the log: a result recorded
 * twice records nothing, a step discovered twice appends nothing.
 */
export class BisectionEngine {
  private readonly states = new Map<string, BisectionState>();
  private checkpoint = 0;
  private readonly starter: StartBisection;

  constructor(
    private readonly deps: BuildLoopDeps,
    private readonly reader: BuildHistoryReader,
    private readonly onStep: (line: StepLine) => void = () => {},
  ) {
    this.starter = new StartBisection({
      datadir: deps.config.default.datadir,
      packages: () => Promise.resolve(deps.packages),
      store: deps.store,
      commands: deps.commands,
      git: deps.git,
      ids: deps.ids,
      history: () => reader.catchUp(),
    });
  }

  /** The bisection streams as of now, folded. */
  async catchUp(): Promise<ReadonlyMap<string, BisectionState>> {
    for (;;) {
      const events = await this.deps.store.readAll({
        after: this.checkpoint,
        maxCount: PAGE,
        filter: { streamPrefixes: ['bisection-'] },
      });
      for (const event of events) {
        if (event.position <= this.checkpoint) continue;
        this.checkpoint = event.position;
        const state = this.states.get(event.streamId) ?? bisectionDecider.initialState();
        this.states.set(
          event.streamId,
          bisectionDecider.evolve(state, event as unknown as EventPayload<BisectionEvent>),
        );
      }
      if (events.length < PAGE) return this.states;
    }
  }

  /**
   * Starts the bisections the history calls for (`[service] auto_bisect`): for each package
   * whose first failure after its last success has no bisection yet, when the first-parent
   * commits between the two hold commits never built. Called by every pass after its builds, so
   * a pass that stopped between recording a failure and starting its bisection is made good by
   * the next. Returns the bisections started.
   */
  async bisectBreakages(packages: readonly PackageInfo[], context: EventContext): Promise<string[]> {
    if (!this.deps.config.service.autoBisect) return [];
    // A downstream site builds only the pins of versions.csv: the commits between two pins are
    // upstream's to bisect, not its own (they would be built with a dist-git not pinned for them).
    if (this.deps.config.default.pkginfoDriverName === 'downstream') return [];
    // koji's rhpkg flow commits each build's source RPM into the dist-git: a step would commit an
    // older one there (its builds refuse to run, see rhpkg.flow.ts).
    if (this.deps.config.default.buildDriverName === 'koji' && this.deps.config.kojibuildDriver.useRhpkg) return [];
    const history = await this.reader.catchUp();
    const states = await this.catchUp();
    const started: string[] = [];
    for (const pkg of packages) {
      const rows = history.builds(pkg.name);
      const successAt = findLastIndex(rows, (row) => row.status === 'SUCCESS');
      if (successAt < 0) continue;
      const failure = rows.slice(successAt + 1).find((row) => row.status === 'FAILED');
      if (failure === undefined) continue;
      const success = rows[successAt]!;
      const id = bisectionStreamId(pkg.name, success.commit.commitHash, failure.commit.commitHash);
      if (states.has(id)) continue;
      if (await this.worthBisecting(pkg, success, failure, rows)) {
        const result = await this.starter.start(
          {
            package: pkg.name,
            good: success.commit.commitHash,
            bad: failure.commit.commitHash,
            trigger: 'auto',
            actor: context.actor,
          },
          { ...context, trigger: 'auto' },
        );
        if (result.started) {
          started.push(result.bisectionId);
          this.deps.log(
            `${pkg.name}: bisecting ${result.candidates.length} commits between ${short(result.good)} (SUCCESS) and ${short(result.bad)} (FAILED)`,
          );
        }
      }
    }
    return started;
  }

  /**
   * Whether the first-parent line from `success` to `failure` holds commits never built. With
   * several upstreams, only when both came from the same one: there is no line between two
   * repositories.
   */
  private async worthBisecting(
    pkg: PackageInfo,
    success: BuildRow,
    failure: BuildRow,
    rows: readonly BuildRow[],
  ): Promise<boolean> {
    if (success.commit.upstreamUrl !== failure.commit.upstreamUrl) return false;
    try {
      const range = await this.deps.git.firstParentRange(
        upstreamDir(this.deps.config.default.datadir, pkg, failure.commit.upstreamUrl),
        success.commit.commitHash,
        failure.commit.commitHash,
      );
      const built = new Set(rows.map((row) => row.commit.commitHash));
      return range.commits.slice(0, -1).some((commit) => !built.has(commit.hash));
    } catch (error) {
      // A force-push or a branch switch between the two (not one line), or a clone that lost
      // them: nothing to bisect.
      if (error instanceof FirstParentRangeError) return false;
      throw error;
    }
  }

  /**
   * Moves every running bisection of `packages` forward as far as the builds recorded allow, and
   * returns the build candidates of the steps left pending (discovered, not built yet).
   */
  async advance(packages: ReadonlySet<string>, context: EventContext): Promise<Candidate[]> {
    const pending: Candidate[] = [];
    await this.catchUp();
    for (const bisectionId of [...this.states.keys()]) {
      for (let guard = 0; guard < 64; guard++) {
        const state = this.states.get(bisectionId);
        if (state?.phase !== 'running' || state.pending === null || !packages.has(state.package)) break;
        const moved = await this.step(state, context, pending);
        if (!moved) break;
        await this.catchUp();
      }
    }
    return pending;
  }

  /** One move of a running bisection; false when it waits for its step's build. */
  private async step(state: StartedBisection, context: EventContext, pending: Candidate[]): Promise<boolean> {
    const step = state.pending!;
    const history = await this.reader.catchUp();
    const triple = { commitHash: step.commitHash, distroHash: step.distroHash, extendedHash: state.bad.extendedHash };
    const streamId = buildStreamId(state.package, triple);
    const row = history.lastRowOfStream(streamId);
    if (row !== null && row.status !== 'RETRY' && !row.rechecked) {
      await this.recordResult(state, row, history, context);
      return true;
    }
    const waiting = history.pendingBuilds().find((build) => build.streamId === streamId);
    if (waiting !== undefined) {
      pending.push(waiting.commit);
      return false;
    }
    // Requested, never discovered (a start from the API, or a pass stopped in between).
    const template = this.template(state, history);
    const sourceDir = this.upstreamClone(state.package, template?.upstreamUrl ?? null);
    const committedAt = await this.commitTime(sourceDir, step.commitHash);
    if (committedAt === null || !(await this.deps.git.isAncestor(sourceDir, step.commitHash))) {
      await this.decide(
        state,
        {
          type: 'AbandonStep',
          step: step.step,
          reason: 'vanished_commit',
          detail: `step ${step.step}: ${step.commitHash} is no longer in the history of ${state.package}'s upstream branch`,
        },
        context,
      );
      return true;
    }
    if (template === null) {
      // The bad build is gone from the history (should not happen): wait rather than guess.
      this.deps.log(`${state.bisectionId}: no build of ${state.package} to take the commit's fields from`);
      return false;
    }
    const commit: Candidate = {
      ...template,
      commitHash: step.commitHash,
      distroHash: step.distroHash,
      extendedHash: state.bad.extendedHash,
      dtCommit: committedAt,
      purpose: { kind: 'bisection', bisectionId: state.bisectionId, step: step.step },
    };
    await this.deps.commands.handle(streamId, buildDecider, { type: 'DiscoverCommit', commit }, context);
    pending.push(commit);
    return false;
  }

  private async recordResult(
    state: StartedBisection,
    row: BuildRow,
    history: BuildHistory,
    context: EventContext,
  ): Promise<void> {
    const step = state.pending!;
    const status = row.status === 'SUCCESS' ? 'SUCCESS' : 'FAILED';
    let same: boolean | null = null;
    let retriesExhausted = false;
    let detail: string | undefined;
    if (status === 'FAILED') {
      const log = await this.buildLog(row);
      retriesExhausted = findTransientError(log) !== null;
      const reference = this.referenceFailure(state, history);
      if (reference !== null) {
        const signature = failureSignature(log);
        same = sameFailure(signature, failureSignature(await this.buildLog(reference)));
        if (!same) detail = signature.lines.at(-1) ?? firstLine(row.notes);
      }
    }
    const events = await this.decide(
      state,
      {
        type: 'RecordStepResult',
        step: step.step,
        commitHash: step.commitHash,
        buildId: row.buildId,
        status,
        sameFailure: same,
        retriesExhausted,
        ...(detail === undefined ? {} : { detail }),
      },
      context,
    );
    const built = events.find((event) => event.type === 'BisectionStepBuilt');
    if (built?.type === 'BisectionStepBuilt') {
      this.onStep({
        bisectionId: state.bisectionId,
        package: state.package,
        step: built.data.step,
        of: maxSteps(state.candidates.length),
        commitHash: built.data.commitHash,
        status: built.data.status,
        verdict: built.data.verdict,
      });
    }
    for (const event of events) {
      if (event.type === 'CulpritIdentified') {
        this.deps.log(`${state.package}: culprit ${event.data.commitHash} (after ${event.data.steps} step builds)`);
      } else if (event.type === 'BisectionInconclusive') {
        this.deps.log(`${state.package}: bisection inconclusive (${event.data.reason}): ${event.data.detail}`);
      }
    }
  }

  private async decide(
    state: StartedBisection,
    command: BisectionCommand,
    context: EventContext,
  ): Promise<readonly EventPayload<BisectionEvent>[]> {
    const { events } = await this.deps.commands.handle(state.bisectionId, bisectionDecider, command, context);
    return events;
  }

  /** The build whose failure the steps must repeat: bad's, else the first step found bad. */
  private referenceFailure(state: StartedBisection, history: BuildHistory): BuildRow | null {
    if (state.bad.buildId !== null) return history.row(state.bad.buildId);
    const firstBad = state.results.find((result) => result.verdict === 'bad');
    return firstBad ? history.row(firstBad.buildId) : null;
  }

  /** The fields a step's build shares with the bad build (project, branch, URLs, dist-git date). */
  /** The upstream clone the bisected builds came from (`<datadir>/<package>` for a package gone from the configuration). */
  private upstreamClone(name: string, url: string | null): string {
    const pkg = this.deps.packages.find((candidate) => candidate.name === name);
    return pkg ? upstreamDir(this.deps.config.default.datadir, pkg, url) : join(this.deps.config.default.datadir, name);
  }

  private template(state: StartedBisection, history: BuildHistory): Candidate | null {
    const bad = state.bad.buildId === null ? null : history.row(state.bad.buildId);
    return (bad ?? history.lastProcessed(state.package))?.commit ?? null;
  }

  private async commitTime(sourceDir: string, commitHash: string): Promise<number | null> {
    try {
      return (await this.deps.git.firstParentRange(sourceDir, commitHash, commitHash)).bad.committedAt;
    } catch (error) {
      if (error instanceof FirstParentRangeError) return null;
      throw error;
    }
  }

  /** `rpmbuild.log` of a finished build (its notes when the log is gone: purged, imported). */
  private async buildLog(row: BuildRow): Promise<string> {
    try {
      return await readFile(join(this.deps.config.default.datadir, 'repos', row.repoDir, 'rpmbuild.log'), 'utf8');
    } catch {
      return row.notes;
    }
  }
}

function short(hash: string): string {
  return hash.slice(0, 7);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return i;
  return -1;
}
