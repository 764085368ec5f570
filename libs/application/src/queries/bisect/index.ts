import { BisectHistoryHandler } from './bisect-history.query.js';

export {
  BisectHistoryQuery,
  MAX_RANGE,
  type BisectHistory,
  type BisectHistoryRefusal,
} from './bisect-history.query.js';
export { knownEnds, verdictOf, type CommitBuild, type CommitVerdict, type RangeCommit } from './bisect-history.js';

/** The bisect history's query handlers (register them with the QueryBus's module). */
export const BISECT_QUERY_HANDLERS = [BisectHistoryHandler];
