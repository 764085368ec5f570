import type { BuildOutcome } from '#domain/build/build.commands.js';
import { buildDecider } from '#domain/build/build.decider.js';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import type { EventContext } from '#domain/shared/event.js';
import type { BuildHistory } from '#domain/build/build-history.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { BuildHistoryReader } from '#application/build-pass/build-history.reader.js';

/**
 * Records a build of `commit` as the build pass does, one command after the other: discovery,
 * claim (by `builderId`, default `b1`, for an hour), start (rpmbuild, dated `now`), then completion with
 * `outcome` in `<commitHash>_<distroHash>`. Returns the build's stream.
 */
export async function recordBuild(
  commands: DeciderCommandHandler,
  build: { commit: CommitDiscovered['data']; buildId: string; now: Date; outcome: BuildOutcome; builderId?: string },
  context: EventContext,
): Promise<string> {
  const { commit, buildId, now, outcome, builderId = 'b1' } = build;
  const stream = buildStreamId(commit.package, commit);
  const steps = [
    { type: 'DiscoverCommit', commit },
    { type: 'ClaimBuild', buildId, builderId, now, leaseMs: 3600 * 1000 },
    { type: 'StartBuild', buildId, dtBuild: Math.floor(now.getTime() / 1000), workerId: 1, driver: 'rpmbuild' },
    {
      type: 'CompleteBuild',
      buildId,
      repoDir: `${commit.commitHash}_${commit.distroHash}`,
      outcome,
      maxRetries: 3,
    },
  ] as const;
  for (const command of steps) await commands.handle(stream, buildDecider, command, context);
  return stream;
}

/** A successful build of `commitHash` published in `<commitHash>_<distroHash>`, no package failing. */
export function successOutcome(pkg: string, commitHash: string, distroHash: string): BuildOutcome {
  return {
    status: 'success',
    artifacts: [],
    nvr: `${pkg}-1`,
    publication: {
      package: pkg,
      commitHash,
      distroHash,
      extendedHash: null,
      component: null,
      repoDir: `${commitHash}_${distroHash}`,
      failures: 0,
      packages: [],
      withRepodata: true,
    },
  };
}

/** The build history of a store (in memory, closed after) where the build of `commit` failed. */
export async function historyWithFailedBuild(commit: CommitDiscovered['data']): Promise<BuildHistory> {
  const store = new SqliteEventStore(':memory:');
  try {
    const commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
    const outcome = { status: 'failure', notes: 'boom', transientError: null } as const;
    const context = { correlationId: 'history-1', causationId: null, actor: 'builder:test' };
    await recordBuild(commands, { commit, buildId: 'b-1', now: new Date(), outcome }, context);
    return await new BuildHistoryReader(store).catchUp();
  } finally {
    await store.close();
  }
}
