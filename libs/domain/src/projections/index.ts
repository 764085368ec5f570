import { aggregateReposProjection } from './aggregate-repos.projection.js';
import { buildMetricsProjection } from './build-metrics.projection.js';
import { buildTimingsProjection } from './build-timings.projection.js';
import { buildsProjection } from './builds.projection.js';
import { changeBuildsProjection } from './change-builds.projection.js';
import { ciVotesAggProjection } from './ci-votes-agg.projection.js';
import { ciVotesProjection } from './ci-votes.projection.js';
import { componentsProjection } from './components.projection.js';
import { deliveriesProjection } from './deliveries.projection.js';
import { packageStatusProjection } from './package-status.projection.js';
import type { ProjectionDefinition } from './projection.js';
import { promotionsProjection } from './promotions.projection.js';
import { queueProjection } from './queue.projection.js';
import { repoPointersProjection } from './repo-pointers.projection.js';
import { usersProjection } from './users.projection.js';

export * from './projection.js';
export * from './aggregate-repos.projection.js';
export * from './build-metrics.projection.js';
export * from './build-timings.projection.js';
export * from './builds.projection.js';
export * from './change-builds.projection.js';
export * from './ci-votes-agg.projection.js';
export * from './ci-votes.projection.js';
export * from './components.projection.js';
export * from './deliveries.projection.js';
export * from './dlrn-read-rules.js';
export * from './package-status.projection.js';
export * from './promotions.projection.js';
export * from './queue.projection.js';
export * from './repo-pointers.projection.js';
export * from './users.projection.js';

/** Every read model the projector maintains. */
export const ALL_PROJECTIONS: readonly ProjectionDefinition[] = [
  buildsProjection,
  packageStatusProjection,
  queueProjection,
  ciVotesProjection,
  ciVotesAggProjection,
  promotionsProjection,
  repoPointersProjection,
  buildMetricsProjection,
  componentsProjection,
  usersProjection,
  aggregateReposProjection,
  deliveriesProjection,
  changeBuildsProjection,
  buildTimingsProjection,
];
