import type { BuildHistory, BuildRow } from '#domain/build/build-history.js';
import { bisectionDecider } from '#domain/bisection/bisection.decider.js';
import {
  bisectionStreamId,
  type BisectionEnd,
  type BisectionEvent,
  type BisectionTrigger,
} from '#domain/bisection/bisection.events.js';
import type { BisectionState } from '#domain/bisection/bisection.state.js';
import { FirstParentRangeError, type FirstParentRange, type GitRepositories } from '#domain/package/git.ports.js';
import { fold } from '#domain/shared/decider.js';
import type { EventContext } from '#domain/shared/event.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { IdGenerator } from '#domain/shared/ports.js';
import type { EventPayload } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { BuildHistoryReader } from '#application/build-pass/build-history.reader.js';
import { upstreamClones } from '#application/build-pass/package-discovery.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import {
  BisectionRefusedError,
  type BisectionOutcome,
  type StartBisectionRequest,
  type StartBisectionResult,
} from './start-bisection.types.js';

/** What starting a bisection talks to. */
export interface StartBisectionDeps {
  /** `[DEFAULT] datadir`: the upstream clones are `<datadir>/<package>[/<upstream>]`. */
  readonly datadir: string;
  /** The configured packages, read afresh for each start. */
  readonly packages: () => Promise<readonly PackageInfo[]>;
  readonly store: EventStore;
  readonly commands: DeciderCommandHandler;
  readonly git: GitRepositories;
  readonly ids: IdGenerator;
  /** The build history to read the ends' builds from (a build pass shares its own); default: read here. */
  readonly history?: () => Promise<BuildHistory>;
}

/**
 * Starts a bisection (`dlrn bisect`, `POST /api/bisect`, the build pass): resolves good and bad
 * in the package's upstream clone (a clone the build passes keep: nothing is fetched here),
 * finds the builds that showed them good and bad, and records the start with its first step,
 * or its end when no build is needed (one candidate, none, or not a first-parent line). The
 * steps' builds are discovered and built by build passes (BisectionEngine).
 */
export class StartBisection {
  private readonly reader: BuildHistoryReader;

  constructor(private readonly deps: StartBisectionDeps) {
    this.reader = new BuildHistoryReader(deps.store);
  }

  async start(request: StartBisectionRequest, context?: EventContext): Promise<StartBisectionResult> {
    const pkg = request.package;
    const info = (await this.deps.packages()).find((candidate) => candidate.name === pkg);
    if (info === undefined) {
      throw new BisectionRefusedError('UNKNOWN_PACKAGE', `unknown package '${pkg.slice(0, 200)}'`, { package: pkg });
    }
    const { range, ends } = await this.resolveEnds(info, request.good, request.bad);

    const history = await (this.deps.history ? this.deps.history() : this.reader.catchUp());
    // Any build of the package may show an end good or bad, a step of another bisection too.
    const rows = history.allRows().filter((row) => row.commit.package === pkg && !row.rechecked);
    const badRow = newest(rows, (row) => row.commit.commitHash === ends.bad && row.status === 'FAILED');
    const template = badRow ?? newest(rows, (row) => row.commit.commitHash === ends.bad) ?? history.lastProcessed(pkg);
    if (template === null) {
      throw new BisectionRefusedError(
        'UNKNOWN_COMMIT',
        `${pkg} was never built: a bisection builds with the dist-git commit of a build; run a build pass first`,
        { package: pkg },
      );
    }
    const goodRow = newest(rows, (row) => row.commit.commitHash === ends.good && row.status === 'SUCCESS');
    const good = end(ends.good, goodRow, template);
    const bad = end(ends.bad, badRow, template);
    const bisectionId = bisectionStreamId(pkg, ends.good, ends.bad);
    const handled = await this.deps.commands.handle(
      bisectionId,
      bisectionDecider,
      {
        type: 'StartBisection',
        bisectionId,
        package: pkg,
        good,
        bad,
        candidates: range === null ? 'not_an_ancestor' : range.commits.map((commit) => commit.hash),
        trigger: request.trigger,
      },
      context ?? {
        correlationId: this.deps.ids.next(),
        causationId: null,
        actor: request.actor ?? 'anonymous',
        trigger: request.trigger,
      },
    );
    const state = await this.state(bisectionId);
    return resultOf(state, bisectionId, pkg, ends, handled.append !== null, handled.append?.position ?? null);
  }

  /**
   * good and bad in the package's upstream clone; with several upstreams, in the first clone that
   * holds both (a bisection stays within one repository).
   */
  private async resolveEnds(
    info: PackageInfo,
    good: string,
    bad: string,
  ): Promise<{ range: FirstParentRange | null; ends: { good: string; bad: string } }> {
    const clones = upstreamClones(this.deps.datadir, info);
    for (const [index, clone] of clones.entries()) {
      try {
        const range = await this.deps.git.firstParentRange(clone, good, bad);
        return { range, ends: { good: range.good.hash, bad: range.bad.hash } };
      } catch (error) {
        if (!(error instanceof FirstParentRangeError)) throw error;
        if (error.reason === 'not_an_ancestor' && error.ends !== null) return { range: null, ends: error.ends };
        if (error.reason !== 'unknown_commit' || index === clones.length - 1) throw refusal(error, info.name);
      }
    }
    throw new Error(`${info.name} has no upstream clone`);
  }

  private async state(bisectionId: string): Promise<BisectionState> {
    const events = await this.deps.store.readStream(bisectionId);
    return fold(bisectionDecider, events as unknown as EventPayload<BisectionEvent>[]);
  }
}

function resultOf(
  state: BisectionState,
  bisectionId: string,
  pkg: string,
  ends: { good: string; bad: string },
  started: boolean,
  position: number | null,
): StartBisectionResult {
  const outcome: BisectionOutcome = state.phase === 'none' ? 'running' : state.phase;
  return {
    bisectionId,
    started,
    package: pkg,
    good: ends.good,
    bad: ends.bad,
    candidates: state.phase === 'none' ? [] : state.candidates,
    outcome,
    culprit: state.phase === 'none' ? null : state.culprit,
    reason: state.phase === 'none' ? null : state.reason,
    position,
  };
}

function end(commitHash: string, row: BuildRow | null, template: BuildRow): BisectionEnd {
  const source = row ?? template;
  return {
    commitHash,
    distroHash: source.commit.distroHash,
    extendedHash: source.commit.extendedHash,
    buildId: row?.buildId ?? null,
  };
}

function newest(rows: readonly BuildRow[], predicate: (row: BuildRow) => boolean): BuildRow | null {
  for (let i = rows.length - 1; i >= 0; i--) if (predicate(rows[i]!)) return rows[i]!;
  return null;
}

function refusal(error: FirstParentRangeError, pkg: string): BisectionRefusedError {
  const code =
    error.reason === 'invalid_commit'
      ? 'INVALID_COMMIT'
      : error.reason === 'ambiguous_commit'
        ? 'AMBIGUOUS_COMMIT'
        : 'UNKNOWN_COMMIT';
  return new BisectionRefusedError(code, `${pkg}: ${error.message}`, { package: pkg, commit: error.commit });
}

export type { BisectionTrigger };
