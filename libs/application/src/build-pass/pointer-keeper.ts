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
import type { BuildLoopDeps } from './build-loop.types.js';
import { recordVote } from '../votes/record-vote.js';

/** What a pointer needs of a build: its repository, its commit and when it was built. */
export type PointedBuild = Pick<BuildRow, 'buildId' | 'repoDir' | 'commit' | 'dtBuild'>;

/**
 * Moves `current` and `consistent`: the log first, then the link on disk (atomic symlinks).
 * Links are derived state: `reconcile` puts them back where the history says they belong, which
 * repairs a crash between a build's publication and its pointer moves, and between a move's
 * append and its link.
 */
export class PointerKeeper {
  constructor(
    private readonly deps: {
      readonly commands: BuildLoopDeps['commands'];
      readonly publisher: Pick<BuildLoopDeps['publisher'], 'readPointer' | 'movePointer'>;
    },
    private readonly reposDir: string,
  ) {}

  async move(pointer: 'current' | 'consistent', row: PointedBuild, context: EventContext, vote = true): Promise<void> {
    // Several builders on one datadir: one move of a pointer at a time (an flock beside it), so
    // the link on disk is always the one the last appended move names, never an older one
    // written late by a slower process.
    await withCloneLock(join(this.reposDir, pointer), () => this.moveLocked(pointer, row, context, vote));
  }

  /**
   * Moves `pointer` to the build `latest` names when asked under the pointer's lock: with several
   * builders, the build recorded last in the log (read after the others' appends), not the one
   * this process happened to record, whose move may come after a newer one's.
   */
  async moveToLatest(
    pointer: 'current' | 'consistent',
    latest: () => Promise<PointedBuild | null>,
    context: EventContext,
    vote = true,
  ): Promise<void> {
    await withCloneLock(join(this.reposDir, pointer), async () => {
      const row = await latest();
      if (row !== null) await this.moveLocked(pointer, row, context, vote);
    });
  }

  private async moveLocked(
    pointer: 'current' | 'consistent',
    row: PointedBuild,
    context: EventContext,
    vote: boolean,
  ): Promise<void> {
    const previous = await this.deps.publisher.readPointer(this.reposDir, pointer);
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
    await this.deps.publisher.movePointer(this.reposDir, pointer, row.repoDir);
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

  async reconcile(
    expected: { current: PointedBuild | null; consistent: PointedBuild | null },
    context: EventContext,
  ): Promise<void> {
    if (expected.current) await this.move('current', expected.current, context);
    if (expected.consistent) await this.move('consistent', expected.consistent, context);
  }
}
