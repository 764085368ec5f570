import { BuildEventsHandler } from './build-events.query.js';
import { BuildTimelineHandler } from './build-timeline.query.js';
import { BuildHandler } from './build.query.js';
import { FailuresHandler } from './failures.query.js';
import { PackageListHandler } from './package-list.query.js';
import { PackageHandler } from './package.query.js';
import { QueueHandler } from './queue.query.js';
import { RepoHandler } from './repo.query.js';

export { BuildEventsQuery, type BuildEvents } from './build-events.query.js';
export { BuildTimelineQuery } from './build-timeline.query.js';
export { BuildQuery } from './build.query.js';
export { FailuresQuery } from './failures.query.js';
export { PackageListQuery } from './package-list.query.js';
export { PackageQuery } from './package.query.js';
export { QueueQuery } from './queue.query.js';
export { RepoQuery, type RepoContents } from './repo.query.js';

/** The JSON resources' query handlers, one per query (register them with the QueryBus's module). */
export const RESOURCE_QUERY_HANDLERS = [
  PackageListHandler,
  PackageHandler,
  FailuresHandler,
  BuildTimelineHandler,
  BuildHandler,
  BuildEventsHandler,
  QueueHandler,
  RepoHandler,
];
