import { RepoDiffHandler } from './repo-diff.query.js';

export {
  RepoDiffQuery,
  type DiffSide,
  type RepoDiff,
  type RepoDiffRefusal,
  type ResolvedSide,
} from './repo-diff.query.js';
export { diffSnapshots, type PackageChange, type SnapshotDiff, type SnapshotPackage } from './repo-diff.js';

/** The repo diff's query handlers (register them with the QueryBus's module). */
export const DIFF_QUERY_HANDLERS = [RepoDiffHandler];
