import type { BuildRow } from '#domain/build/build-history.js';
import type { ReportVote } from '#domain/ci-vote/ci-vote.decider.js';
import { CONSISTENT_JOB_ID } from '#domain/ci-vote/ci-vote.events.js';
import {
  POINTER_DECIDER_TAIL,
  pointerDecider,
  pointerStreamOf,
  type MovePointer,
} from '#domain/repo/pointer.decider.js';
import type { EventContext } from '#domain/shared/event.js';
import { join } from 'node:path';
import { withCloneLock } from '#infrastructure/git/clone-lock.js';
import { aggregateComponents } from '#domain/repo/aggregate-repo.js';
import { aggregatePublisherFor, type AggregatePublisher } from '../aggregate/aggregate-publisher.js';
import type { BuildHistoryReader } from './build-history.reader.js';
import type { BuildLoopDeps } from './build-loop.types.js';
import { recordVote } from '../votes/record-vote.js';

/** What a pointer needs of a build: its repository, its commit and when it was built. */
export type PointedBuild = Pick<BuildRow, 'buildId' | 'repoDir' | 'commit' | 'dtBuild'>;

type Pointer = 'current' | 'consistent';

/**
 * Moves `current` and `consistent`: the log first, then the link on disk (atomic symlinks).
 * Links are derived state: `reconcile` puts them back where the history says they belong, which
 * repairs a crash between a build's publication and its pointer moves, and between a move's
 * append and its link.
 *
 * With components on (`aggregates` given), a build moves its component's links,
 * `repos/component/<c>/{current,consistent}` (streams `pointer-<name>@component/<c>`), and the
 * top-level `repos/current/` and `repos/consistent/` become directories holding the aggregate of
 * every component's link of that name (DLRN `aggregate_repo_files`, after each move).
 */
export class PointerKeeper {
  constructor(
    private readonly deps: {
      readonly commands: BuildLoopDeps['commands'];
      readonly publisher: Pick<BuildLoopDeps['publisher'], 'readPointer' | 'movePointer'>;
      readonly aggregates?: AggregatePublisher | null;
    },
    private readonly reposDir: string,
    /** Components of the package list, asked when reconciling (the list may change per pass). */
    private readonly options: { readonly components: () => readonly string[] } = { components: () => [] },
  ) {}

  /** The keeper of a build loop: components on, its links are per component, with aggregates. */
  static forBuildLoop(
    deps: Pick<BuildLoopDeps, 'commands' | 'publisher' | 'config' | 'packages'>,
    reposDir: string,
  ): PointerKeeper {
    const d = deps.config.default;
    // Read at each use: with a package source, `deps.packages` is the source's latest answer.
    const packageComponents = () => deps.packages.map((p) => p.component ?? null);
    const aggregates = aggregatePublisherFor({
      commands: deps.commands,
      datadir: d.datadir,
      useComponents: d.useComponents,
      reponame: d.reponame,
      packageComponents,
    });
    return new PointerKeeper({ commands: deps.commands, publisher: deps.publisher, aggregates }, reposDir, {
      components: () => aggregateComponents(packageComponents()),
    });
  }

  /**
   * Puts every link back where the build history says (at the start of a pass): `current` on
   * the last success, `consistent` on the last consistent build made here; per component with
   * components on.
   */
  async reconcileWithHistory(reader: BuildHistoryReader, context: EventContext): Promise<void> {
    const components: readonly (string | null)[] = this.deps.aggregates ? this.options.components() : [null];
    await this.reconcile(
      components.map((c) => ({
        current: reader.history.lastSuccess(c),
        consistent: reader.lastConsistentBuiltHere(c),
      })),
      context,
    );
  }

  /** Where the link of `pointer` for this component lives, and the prefix its targets lose. */
  private placeOf(component: string | null): { dir: string; prefix: string } {
    if (component === null || !this.deps.aggregates) return { dir: this.reposDir, prefix: '' };
    // The component names a directory: one plain path segment, as DLRN's component names are.
    if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(component)) {
      throw new Error(`component ${JSON.stringify(component)} refused: not a plain directory name`);
    }
    return { dir: join(this.reposDir, 'component', component), prefix: `component/${component}/` };
  }

  async move(pointer: Pointer, row: PointedBuild, context: EventContext, vote = true): Promise<void> {
    if (this.skipped(row)) return;
    // Several builders on one datadir: one move of a pointer at a time (an flock beside it), so
    // the link on disk is always the one the last appended move names, never an older one
    // written late by a slower process.
    const { dir } = this.placeOf(row.commit.component);
    await withCloneLock(join(dir, pointer), () => this.moveLocked(pointer, row, context, vote));
    if (row.commit.component !== null) await this.aggregate(pointer, context);
  }

  /**
   * Components on, a package without a component: DLRN fails there (no component directory);
   * its builds move no link, as the top-level names are the aggregates' directories.
   */
  private skipped(row: PointedBuild): boolean {
    return Boolean(this.deps.aggregates) && row.commit.component === null;
  }

  /** Components on: the top-level `<pointer>/` follows the components' links. */
  async aggregate(pointer: Pointer, context: EventContext): Promise<void> {
    if (this.deps.aggregates) await this.deps.aggregates.publish(pointer, context);
  }

  /**
   * Moves `pointer` to the build `latest` names when asked under the pointer's lock: with several
   * builders, the build recorded last in the log (read after the others' appends), not the one
   * this process happened to record, whose move may come after a newer one's.
   */
  async moveToLatest(
    pointer: Pointer,
    latest: () => Promise<PointedBuild | null>,
    context: EventContext,
    vote: boolean,
    component: string | null = null,
  ): Promise<void> {
    const { dir } = this.placeOf(component);
    await withCloneLock(join(dir, pointer), async () => {
      const row = await latest();
      if (row !== null && !this.skipped(row)) await this.moveLocked(pointer, row, context, vote);
    });
    if (component !== null) await this.aggregate(pointer, context);
  }

  private async moveLocked(pointer: Pointer, row: PointedBuild, context: EventContext, vote: boolean): Promise<void> {
    const { dir, prefix } = this.placeOf(row.commit.component);
    if (!row.repoDir.startsWith(prefix)) throw new Error(`${row.repoDir} is not a repository of ${dir}`);
    const linked = await this.deps.publisher.readPointer(dir, pointer);
    const previous = linked === null ? null : `${prefix}${linked}`;
    if (previous === row.repoDir) return;
    const command: MovePointer = {
      type: 'MovePointer',
      pointer,
      data: { buildId: row.buildId, repoDir: row.repoDir, previousRepoDir: previous, component: row.commit.component },
    };
    const { events } = await this.deps.commands.handle(pointerStreamOf(command), pointerDecider, command, context, {
      tail: POINTER_DECIDER_TAIL,
    });
    // Voted once, with the move that records it; a link that only caught up with the log is no new move.
    if (events.length > 0 && pointer === 'consistent' && vote) await this.voteConsistent(row, context);
    await this.deps.publisher.movePointer(dir, pointer, row.repoDir.slice(prefix.length));
  }

  /** DLRN's own vote: `ci_name=consistent`, success, timestamp = dt_build. */
  private async voteConsistent(row: PointedBuild, context: EventContext): Promise<void> {
    const { commitHash, distroHash, extendedHash, component } = row.commit;
    const command: ReportVote = {
      type: 'ReportVote',
      data: {
        commitHash,
        distroHash,
        extendedHash,
        component,
        jobId: CONSISTENT_JOB_ID,
        url: '',
        notes: '',
        timestamp: row.dtBuild,
        user: null,
        success: true,
      },
    };
    await recordVote(this.deps.commands, command, context);
  }

  /**
   * Puts the links where the history says: one expectation without components, one per
   * component with them (then each top-level aggregate once).
   */
  async reconcile(expected: Expected | readonly Expected[], context: EventContext): Promise<void> {
    const all: readonly Expected[] = isExpectedList(expected) ? expected : [expected];
    for (const { current, consistent } of all) {
      if (current) await this.moveQuietly('current', current, context);
      if (consistent) await this.moveQuietly('consistent', consistent, context);
    }
    await this.aggregate('current', context);
    await this.aggregate('consistent', context);
  }

  private async moveQuietly(pointer: Pointer, row: PointedBuild, context: EventContext): Promise<void> {
    if (this.skipped(row)) return;
    const { dir } = this.placeOf(row.commit.component);
    await withCloneLock(join(dir, pointer), () => this.moveLocked(pointer, row, context, true));
  }
}

interface Expected {
  readonly current: PointedBuild | null;
  readonly consistent: PointedBuild | null;
}

function isExpectedList(expected: Expected | readonly Expected[]): expected is readonly Expected[] {
  return Array.isArray(expected);
}
