import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { buildsProjection, ReadModelStore } from '#domain/projections/index.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { compileHistoryFilter } from './history-filter.js';

export interface HistoryPageRequest {
  /** Exclusive: the first event returned is the first one after this position. */
  readonly after: number;
  readonly limit: number;
  readonly types: readonly string[] | null;
  /** A valid package name. */
  readonly package: string | null;
  /** A build id: that build's commit stream. */
  readonly buildId: string | null;
}

/** One page of the log, in position order; `nextAfter` is null when nothing more follows now. */
export interface HistoryPage {
  readonly events: readonly RecordedEvent[];
  readonly nextAfter: number | null;
}

/**
 * `GET /api/events`: the global log after a position, filtered, in pages. Null when `buildId`
 * names no build. Events are handed over as stored (upcast): redacting secrets is the caller's
 * job, once, where they leave the server.
 */
export class HistoryQuery extends Query<HistoryPage | null> {
  constructor(readonly request: HistoryPageRequest) {
    super();
  }
}

/** Positions one request scans at most (about 10 ms of SQLite with a filter that matches nothing). */
export const SCAN_WINDOW = 50_000;

/** Store pages read per round while a page is filled after the exact (post-prefix) test. */
const MAX_ROUNDS = 64;

@QueryHandler(HistoryQuery)
export class HistoryHandler implements IQueryHandler<HistoryQuery, HistoryPage | null> {
  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(ReadModelStore) private readonly views: ReadModelStore,
  ) {}

  async execute({ request }: HistoryQuery): Promise<HistoryPage | null> {
    if (request.buildId !== null) {
      const build = (await this.views.get(buildsProjection, request.buildId))?.doc ?? null;
      if (build === null) return null;
      return this.streamPage(build.streamId, request);
    }
    return this.logPage(request);
  }

  /**
   * One stream: read through its index (a build's stream is a handful of events), never by
   * scanning the log for it.
   */
  private async streamPage(stream: string, request: HistoryPageRequest): Promise<HistoryPage> {
    const { accepts } = compileHistoryFilter({ stream, types: request.types, package: request.package });
    const matching = (await this.events.readStream(stream)).filter((e) => e.position > request.after && accepts(e));
    const events = matching.slice(0, request.limit);
    const more = matching.length > request.limit;
    return { events, nextAfter: more ? events[events.length - 1]!.position : null };
  }

  /**
   * The log read with the store's filter (prefixes and types run in the store), each event then
   * checked exactly; reads again while the exact test dropped some and the store had more. One
   * request scans at most SCAN_WINDOW positions: a filter that matches little answers a short (or
   * empty) page whose cursor is where the scan stopped, rather than holding the store while it
   * reads the whole log.
   */
  private async logPage(request: HistoryPageRequest): Promise<HistoryPage> {
    const { store, accepts } = compileHistoryFilter({ types: request.types, package: request.package });
    const head = await this.events.headPosition();
    const until = Math.min(head, request.after + SCAN_WINDOW);
    const events: RecordedEvent[] = [];
    let after = request.after;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const wanted = request.limit - events.length;
      const read = await this.events.readAll({ after, maxCount: wanted, filter: store, until });
      for (const event of read) if (accepts(event)) events.push(event);
      if (read.length < wanted) return { events, nextAfter: until < head ? until : null };
      after = read[read.length - 1]!.position;
      if (events.length === request.limit) return { events, nextAfter: after };
    }
    // The page is cut short here; the cursor says where reading stopped.
    return { events, nextAfter: after };
  }
}
