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
 * from the batch itself when the discovery is in it, else from the streams seen lately (kept
 * here, the least recently used dropped past `capacity`), else read from the log, the source of
 * truth: nothing of it is stored beside the read models.
 */
export class StreamContexts {
  private readonly known = new Map<string, Commit | null>();

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
      // A build stream begins with its discovery (the decider records it once, first).
      if (event.type === 'CommitDiscovered' && event.revision === 0) {
        this.remember(streamId, event.data as Commit);
      }
      const commit = this.recall(streamId);
      if (commit !== undefined) contexts.set(streamId, commit === null ? NO_CONTEXT : { commit });
      else if (streamId.startsWith('build-')) missing.push(streamId);
      else contexts.set(streamId, NO_CONTEXT);
    }
    const firsts = await Promise.all(missing.map((streamId) => this.events.readStream(streamId, { maxCount: 1 })));
    missing.forEach((streamId, index) => {
      const first = firsts[index]![0];
      const discovery = first === undefined ? undefined : upcast(first);
      const commit = discovery?.type === 'CommitDiscovered' ? (discovery.data as Commit) : null;
      this.remember(streamId, commit);
      contexts.set(streamId, commit === null ? NO_CONTEXT : { commit });
    });
    return contexts;
  }

  private recall(streamId: string): Commit | null | undefined {
    const commit = this.known.get(streamId);
    if (commit !== undefined) {
      // most recently used last
      this.known.delete(streamId);
      this.known.set(streamId, commit);
    }
    return commit;
  }

  private remember(streamId: string, commit: Commit | null): void {
    this.known.delete(streamId);
    this.known.set(streamId, commit);
    if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value!);
  }
}
