import { BuildHistory, type BuildRow } from '#domain/build/build-history.js';
import type { BuildClaimed } from '#domain/build/build.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';

const PAGE = 5000;

/**
 * Claims of builds imported from another instance (`dlrn remote`) name the source:
 * `remote-import:<repo url>`. Such builds move `current` but never `consistent` (DLRN §2.3).
 */
export const REMOTE_IMPORT_BUILDER_PREFIX = 'remote-import:';

/** Keeps a BuildHistory up to date with the store: reads what was appended since last time. */
export class BuildHistoryReader {
  readonly history = new BuildHistory();
  private readonly imported = new Set<string>();

  constructor(private readonly store: EventStore) {}

  async catchUp(): Promise<BuildHistory> {
    for (;;) {
      const events = await this.store.readAll({
        after: this.history.checkpoint,
        maxCount: PAGE,
        filter: { streamPrefixes: ['build-', 'package-'] },
      });
      for (const event of events) {
        if (event.type === 'BuildClaimed') {
          const { buildId, builderId } = event.data as BuildClaimed['data'];
          if (builderId.startsWith(REMOTE_IMPORT_BUILDER_PREFIX)) this.imported.add(buildId);
        }
        this.history.apply(event);
      }
      if (events.length < PAGE) return this.history;
    }
  }

  /** What `consistent` shows: the newest build made here whose snapshot had no failing package. */
  lastConsistentBuiltHere(component: string | null = null): BuildRow | null {
    return this.history.lastConsistent(component, (row) => !this.imported.has(row.buildId));
  }
}
