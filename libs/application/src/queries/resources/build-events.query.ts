import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { ResourceQueries } from '../resource-queries.js';

/** The events of a build's commit stream, for audit. */
export interface BuildEvents {
  readonly stream: string;
  readonly events: readonly RecordedEvent[];
}

/** `GET /api/builds/:id/events`: the build's stream as recorded, null when the build is unknown. */
export class BuildEventsQuery extends Query<BuildEvents | null> {
  constructor(readonly buildId: string) {
    super();
  }
}

@QueryHandler(BuildEventsQuery)
export class BuildEventsHandler implements IQueryHandler<BuildEventsQuery, BuildEvents | null> {
  constructor(
    @Inject(ResourceQueries) private readonly queries: ResourceQueries,
    @Inject(EventStore) private readonly events: EventStore,
  ) {}

  async execute({ buildId }: BuildEventsQuery): Promise<BuildEvents | null> {
    const build = await this.queries.build(buildId);
    if (build === null) return null;
    return { stream: build.streamId, events: await this.events.readStream(build.streamId) };
  }
}
