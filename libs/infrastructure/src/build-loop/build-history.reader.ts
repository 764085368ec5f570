import { BuildHistory, type BuildRow } from '#domain/build/build-history.js';
import type { BuildClaimed } from '#domain/build/build.events.js';
import { upcast } from '#domain/catalogue.js';
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
        const upcasted = upcast(event);
        if (upcasted.type === 'BuildClaimed') {
          const { buildId, builderId } = upcasted.data as BuildClaimed['data'];
          if (builderId.startsWith(REMOTE_IMPORT_BUILDER_PREFIX)) this.imported.add(buildId);
        }
        this.history.apply(upcasted);
      }
      if (events.length < PAGE) return this.history;
    }
  }

  /** Whether a build was imported from another instance rather than built here. */
  isImported(buildId: string): boolean {
    return this.imported.has(buildId);
  }

  /** What `consistent` shows: the newest build made here whose snapshot had no failing package. */
  lastConsistentBuiltHere(component: string | null = null): BuildRow | null {
    const rows = this.history.allRows();
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i]!;
      if (row.status === 'SUCCESS' && !row.rechecked && row.failures === 0 && row.commit.component === component) {
        if (!this.imported.has(row.buildId)) return row;
      }
    }
    return null;
  }
}
