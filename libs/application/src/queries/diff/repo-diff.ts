import type { RepoPublished } from '#domain/repo/repo.events.js';

/** One package of a repository's snapshot (RepoPublished's `packages`, or its versions.csv row). */
export type SnapshotPackage = RepoPublished['data']['packages'][number];

/** A package in both repositories whose commit, distro hash or NVR differs. */
export interface PackageChange {
  readonly name: string;
  readonly from: SnapshotPackage;
  readonly to: SnapshotPackage;
  /** What moved: the upstream commit, the dist-git commit, or only the NVR/status. */
  readonly upstreamChanged: boolean;
  readonly distgitChanged: boolean;
}

/** What `to` holds that `from` does not, and the other way round; packages by name. */
export interface SnapshotDiff {
  readonly added: readonly SnapshotPackage[];
  readonly removed: readonly SnapshotPackage[];
  readonly changed: readonly PackageChange[];
  readonly unchanged: number;
}

const byName = (a: SnapshotPackage, b: SnapshotPackage): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The difference between two snapshots: linear in their sizes (one map), each list sorted by
 * package name. A package listed twice in a snapshot (never written so) counts once, its last row.
 */
export function diffSnapshots(from: readonly SnapshotPackage[], to: readonly SnapshotPackage[]): SnapshotDiff {
  const before = new Map(from.map((p) => [p.name, p]));
  const after = new Map(to.map((p) => [p.name, p]));
  const added: SnapshotPackage[] = [];
  const changed: PackageChange[] = [];
  let unchanged = 0;
  for (const [name, now] of after) {
    const then = before.get(name);
    if (then === undefined) {
      added.push(now);
      continue;
    }
    const upstreamChanged = then.commitHash !== now.commitHash;
    const distgitChanged = then.distroHash !== now.distroHash;
    if (upstreamChanged || distgitChanged || then.nvr !== now.nvr || then.status !== now.status) {
      changed.push({ name, from: then, to: now, upstreamChanged, distgitChanged });
    } else {
      unchanged += 1;
    }
  }
  const removed = [...before.values()].filter((p) => !after.has(p.name));
  return {
    added: added.sort(byName),
    removed: removed.sort(byName),
    changed: changed.sort((a, b) => byName(a.to, b.to)),
    unchanged,
  };
}

/**
 * A versions.csv as snapshot rows, for repositories whose build recorded no RepoPublished
 * (imported from a DLRN database): DLRN's columns `Project`, `Source Sha`, `Dist Sha`,
 * `Status`, `Pkg NVR`.
 */
export function snapshotOfVersionsCsv(rows: readonly Record<string, string>[]): SnapshotPackage[] {
  return rows
    .filter((row) => (row['Project'] ?? '') !== '')
    .map((row) => ({
      name: row['Project']!,
      commitHash: row['Source Sha'] ?? '',
      distroHash: row['Dist Sha'] ?? '',
      status: row['Status'] ?? '',
      nvr: row['Pkg NVR'] ? row['Pkg NVR'] : null,
    }));
}
