import type { BuildRow } from './build-history.js';

export interface PurgeStep {
  readonly row: BuildRow;
  /** False when the directory must stay (shared with a successful build of the same commit). */
  readonly removeDirectory: boolean;
}

/**
 * DLRN's purge (§1.15), newest build first, over builds older than `cutoff` (epoch seconds):
 * - the newest old SUCCESS of a package stays when no newer SUCCESS exists at all (newer repos
 *   link to its RPMs); any other old SUCCESS is removed;
 * - an old FAILED/RETRY loses its directory only when no SUCCESS of the same commit shares it;
 * - rows are flagged, never deleted; excluded rows (RPMs present in a protected directory) stay.
 * Only a stream's latest result is acted on: earlier attempts of the same commit share its
 * directory and its fate.
 */
export function purgePlan(
  rows: readonly BuildRow[],
  cutoff: number,
  isExcluded: (row: BuildRow) => boolean,
): PurgeStep[] {
  const live = rows.filter((row) => !row.rechecked);
  const latestOfStream = new Map<string, BuildRow>();
  for (const row of live) latestOfStream.set(row.streamId, row);
  const successes = live.filter((row) => row.status === 'SUCCESS');
  const handled = new Set<string>();
  const steps: PurgeStep[] = [];
  const candidates = live
    .filter((row) => row.dtBuild < cutoff && !row.purged && latestOfStream.get(row.streamId) === row)
    .sort((a, b) => b.id - a.id);
  for (const row of candidates) {
    if (isExcluded(row)) continue;
    const pkg = row.commit.package;
    if (row.status === 'SUCCESS' && !handled.has(pkg)) {
      const newer = successes.some((s) => s.commit.package === pkg && s.id > row.id);
      if (!newer) continue;
      handled.add(pkg);
      steps.push({ row, removeDirectory: true });
      continue;
    }
    if (row.status === 'SUCCESS') {
      steps.push({ row, removeDirectory: true });
      continue;
    }
    const shared = successes.some((s) => s.commit.package === pkg && s.commit.commitHash === row.commit.commitHash);
    steps.push({ row, removeDirectory: !shared });
  }
  return steps;
}

/**
 * Directories the log says a purge removed but that may still be on disk (the purge records
 * first and removes after, so a crash in between leaves them): each repo dir of `removed` whose
 * every stream still ends on a purged build. A dir that a later build of the same commit uses
 * again (a recheck, a rebuild not purged) is not a leftover.
 */
export function leftoverDirectories(rows: readonly BuildRow[], removed: ReadonlySet<string>): string[] {
  const latestOfStream = new Map<string, BuildRow>();
  for (const row of rows) latestOfStream.set(row.streamId, row);
  const inUse = new Set<string>();
  for (const row of latestOfStream.values()) if (!row.purged) inUse.add(row.repoDir);
  return [...removed].filter((dir) => !inUse.has(dir)).sort();
}
