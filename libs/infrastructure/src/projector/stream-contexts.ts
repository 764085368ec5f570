import type { CommitDiscovered } from '#domain/build/build.events.js';
import { upcast } from '#domain/catalogue.js';
import type { ProjectionContext } from '#domain/projections/projection.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';

type Commit = CommitDiscovered['data'];

const NO_CONTEXT: ProjectionContext = Object.freeze({ commit: null });

/**
 * What the projector knows of each event's stream: for a build stream, the commit its first event
 * (CommitDiscovered) recorded, which the later events of the stream only name by build id. Taken
 * from the batch itself when the discovery is in it, else from the streams seen lately (between
 * `capacity` and twice that many kept here, the least recently used dropped), else read from the
 * log, the source of truth: nothing of it is stored beside the read models.
 */
export class StreamContexts {
  /** Streams seen lately; once `capacity` are, they become `older` and the older ones go. */
  private recent = new Map<string, Commit | null>();
  private older = new Map<string, Commit | null>();

  constructor(
    private readonly events: EventStore,
    private readonly capacity = 20_000,
  ) {}

  /** One context object per stream of `events` (what `keys` and `evolve` get). */
  async of(events: readonly RecordedEvent[]): Promise<ReadonlyMap<string, ProjectionContext>> {
    const contexts = new Map<string, ProjectionContext>();
    const missing: string[] = [];
    for (const event of events) {
      const { streamId } = event;
      if (contexts.has(streamId)) continue;
      if (!streamId.startsWith('build-')) {
        contexts.set(streamId, NO_CONTEXT);
        continue;
      }
      // A build stream begins with its discovery (the decider records it once, first).
      const commit =
        event.type === 'CommitDiscovered' && event.revision === 0
          ? this.remember(streamId, event.data as Commit)
          : this.recall(streamId);
      if (commit === undefined) missing.push(streamId);
      else contexts.set(streamId, commit === null ? NO_CONTEXT : { commit });
    }
    const firsts = await Promise.all(missing.map((streamId) => this.events.readStream(streamId, { maxCount: 1 })));
    missing.forEach((streamId, index) => {
      const first = firsts[index]![0];
      const discovery = first === undefined ? undefined : upcast(first);
      const commit = this.remember(
        streamId,
        discovery?.type === 'CommitDiscovered' ? (discovery.data as Commit) : null,
      );
      contexts.set(streamId, commit === null ? NO_CONTEXT : { commit });
    });
    return contexts;
  }

  private recall(streamId: string): Commit | null | undefined {
    const commit = this.recent.get(streamId);
    if (commit !== undefined) return commit;
    const old = this.older.get(streamId);
    return old === undefined ? undefined : this.remember(streamId, old);
  }

  private remember(streamId: string, commit: Commit | null): Commit | null {
    this.recent.set(streamId, commit);
    if (this.recent.size >= this.capacity) {
      this.older = this.recent;
      this.recent = new Map();
    }
    return commit;
  }
}
