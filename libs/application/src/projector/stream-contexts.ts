import type { CommitDiscovered } from '#domain/build/build.events.js';
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

  /** Each event's context, in the order of `events` (one object per stream: what `keys` and `evolve` get). */
  async of(events: readonly RecordedEvent[]): Promise<ProjectionContext[]> {
    const byStream = new Map<string, ProjectionContext>();
    const contexts = new Array<ProjectionContext>(events.length);
    const missing = new Set<string>();
    let unresolved: number[] | undefined;
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      const { streamId } = event;
      let context = byStream.get(streamId);
      if (context === undefined) {
        if (!streamId.startsWith('build-')) {
          context = NO_CONTEXT;
        } else {
          // A build stream begins with its discovery (the decider records it once, first).
          const commit =
            event.type === 'CommitDiscovered' && event.revision === 0
              ? this.remember(streamId, event.data as Commit)
              : this.recall(streamId);
          if (commit === undefined) {
            missing.add(streamId);
            (unresolved ??= []).push(index);
            continue;
          }
          context = commit === null ? NO_CONTEXT : { commit };
        }
        byStream.set(streamId, context);
      }
      contexts[index] = context;
    }
    if (unresolved === undefined) return contexts;
    const streams = [...missing];
    const firsts = await Promise.all(streams.map((streamId) => this.events.readStream(streamId, { maxCount: 1 })));
    streams.forEach((streamId, index) => {
      const discovery = firsts[index]![0];
      const commit = this.remember(
        streamId,
        discovery?.type === 'CommitDiscovered' ? (discovery.data as Commit) : null,
      );
      byStream.set(streamId, commit === null ? NO_CONTEXT : { commit });
    });
    for (const index of unresolved) contexts[index] = byStream.get(events[index]!.streamId)!;
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
