import { changeBuildDecider, type ChangeBuildStreamState } from '#domain/change/change.decider.js';
import { CHANGE_BUILD_STREAM_PREFIX, type ChangeBuildRequested } from '#domain/change/change.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventPayload } from '#domain/shared/event.js';
import { isStoppedLocalHolder } from '../build-pass/claim-holder.js';

/** A change build waiting for a builder: the newest patch set of its change. */
export interface QueuedChangeBuild {
  readonly streamId: string;
  readonly request: ChangeBuildRequested['data'];
  readonly position: number;
  /** The holder of a running build whose process is gone (this host): the start takes it over. */
  readonly stoppedHolder?: string;
}

const PAGE = 10_000;

/**
 * The change builds a pass may take, oldest request first: for each change stream, its newest
 * patch set when it is queued, or running under a lease that expired (its builder died). Older
 * patch sets are never offered (batch mode builds the newest patch set only). Read from the log,
 * so a builder needs no views.
 */
export async function queuedChangeBuilds(
  store: EventStore,
  packages: ReadonlySet<string>,
  now: Date,
  isStopped: (holder: string) => boolean = isStoppedLocalHolder,
): Promise<QueuedChangeBuild[]> {
  const states = new Map<string, ChangeBuildStreamState>();
  const requests = new Map<string, { data: ChangeBuildRequested['data']; position: number }>();
  for (let after = 0; ;) {
    const page = await store.readAll({
      after,
      maxCount: PAGE,
      filter: { streamPrefixes: [CHANGE_BUILD_STREAM_PREFIX] },
    });
    for (const event of page) {
      const state = states.get(event.streamId) ?? changeBuildDecider.initialState();
      states.set(
        event.streamId,
        changeBuildDecider.evolve(state, event as unknown as Parameters<typeof changeBuildDecider.evolve>[1]),
      );
      if (event.type === 'ChangeBuildRequested')
        requests.set(event.streamId, {
          data: (event as unknown as EventPayload<ChangeBuildRequested>).data,
          position: event.position,
        });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const queued: QueuedChangeBuild[] = [];
  for (const [streamId, state] of states) {
    const newest = state.patchsets[state.patchsets.length - 1];
    const request = requests.get(streamId);
    if (newest === undefined || request === undefined || !packages.has(request.data.package)) continue;
    const expired =
      newest.status === 'running' &&
      newest.leaseExpiresAt !== null &&
      Date.parse(newest.leaseExpiresAt) <= now.getTime();
    const stopped = newest.status === 'running' && newest.builderId !== null && isStopped(newest.builderId);
    if (newest.status === 'queued' || expired || stopped)
      queued.push({
        streamId,
        request: request.data,
        position: request.position,
        ...(stopped ? { stoppedHolder: newest.builderId! } : {}),
      });
  }
  return queued.sort((a, b) => a.position - b.position);
}
