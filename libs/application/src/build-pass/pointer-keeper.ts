import type { BuildRow } from '#domain/build/build-history.js';
import { CONSISTENT_JOB_ID, voteStreamId } from '#domain/ci-vote/ci-vote.events.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import type { CiVoteReported } from '#domain/ci-vote/ci-vote.events.js';
import { pointerStreamId, type ConsistentMoved, type CurrentMoved } from '#domain/repo/repo.events.js';
import type { DomainEvent, EventContext } from '#domain/shared/event.js';
import { stampEvents } from '#domain/shared/stamp.js';
import type { BuildLoopDeps } from './build-loop.types.js';

/**
 * Moves `current` and `consistent` on disk (atomic symlinks) and records each move. Pointers are
 * derived state: `reconcile` puts them back where the history says they belong, which repairs a
 * crash between a build's publication and its pointer moves.
 */
export class PointerKeeper {
  constructor(
    private readonly deps: BuildLoopDeps,
    private readonly reposDir: string,
  ) {}

  async move(pointer: 'current' | 'consistent', row: BuildRow, context: EventContext, vote = true): Promise<void> {
    const previous = await this.deps.publisher.readPointer(this.reposDir, pointer);
    if (previous === row.repoDir) return;
    await this.deps.publisher.movePointer(this.reposDir, pointer, row.repoDir);
    const data = {
      buildId: row.buildId,
      repoDir: row.repoDir,
      previousRepoDir: previous,
      component: row.commit.component,
    };
    const type = pointer === 'current' ? 'CurrentMoved' : 'ConsistentMoved';
    await this.append(pointerStreamId(pointer), [{ type, data }] as (CurrentMoved | ConsistentMoved)[], context);
    if (pointer === 'consistent' && vote) await this.voteConsistent(row, context);
  }

  /** DLRN's own vote: `ci_name=consistent`, success, timestamp = dt_build. */
  private async voteConsistent(row: BuildRow, context: EventContext): Promise<void> {
    const { commitHash, distroHash, extendedHash, component } = row.commit;
    const vote: Pick<CiVoteReported, 'type' | 'data'> = {
      type: 'CiVoteReported',
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
    await this.append(voteStreamId(commitHash, distroHash, extendedHash), [vote], context);
  }

  async reconcile(
    expected: { current: BuildRow | null; consistent: BuildRow | null },
    context: EventContext,
  ): Promise<void> {
    if (expected.current) await this.move('current', expected.current, context);
    if (expected.consistent) await this.move('consistent', expected.consistent, context);
  }

  private async append<E extends DomainEvent>(
    stream: string,
    payloads: Pick<E, 'type' | 'data'>[],
    context: EventContext,
  ): Promise<void> {
    const events = stampEvents(payloads as never, context, {
      ids: this.deps.ids,
      clock: this.deps.clock,
      schemaVersion: schemaVersionOf,
    });
    await this.deps.store.append(stream, events);
  }
}
