import type { BuildStatus } from '../build/build.state.js';

/** One package of the package list, as the snapshot needs it. */
export interface SnapshotPackage {
  readonly name: string;
  readonly upstream: string | null;
  readonly distgit: string | null;
  /** Metadata `component` key; packages without one belong to every component. */
  readonly component: string | null;
}

/** A build row as the snapshot reads it (DLRN's commits columns). */
export interface SnapshotBuild {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly status: BuildStatus;
  readonly dtBuild: number;
  readonly artifacts: readonly string[];
  readonly nvr: string | null;
}

export interface PackageHistory {
  readonly lastSuccess: SnapshotBuild | null;
  /** Newest build of any status, RETRY included. */
  readonly lastProcessed: SnapshotBuild | null;
}

export interface VersionsCsvRow {
  readonly project: string;
  readonly sourceRepo: string | null;
  readonly sourceSha: string;
  readonly distRepo: string | null;
  readonly distSha: string;
  readonly status: BuildStatus;
  readonly lastSuccessTimestamp: number;
  readonly component: string | null;
  readonly extendedSha: string | null;
  readonly pkgNvr: string | null;
}

export interface Snapshot {
  /** versions.csv lines, in package-list order. */
  readonly rows: readonly VersionsCsvRow[];
  /** Artifacts (relative to datadir) of the other packages' last successes, to link in. */
  readonly linkedArtifacts: readonly string[];
  /** Packages whose latest build is not SUCCESS, or that were never built. */
  readonly failures: number;
}

/**
 * The cumulative repository of a successful build (DLRN `post_build_rpm`, §1.8): the built
 * package plus the latest successful build of every other package of the list (of the same
 * component, or without one). A package whose newest build failed still has its older success
 * linked, but its row shows the newest status and it counts as a failure.
 */
export function computeSnapshot(options: {
  readonly packages: readonly SnapshotPackage[];
  readonly built: { readonly package: string; readonly component: string | null; readonly build: SnapshotBuild };
  readonly history: (packageName: string) => PackageHistory;
  readonly useComponents: boolean;
}): Snapshot {
  const { packages, built, history, useComponents } = options;
  const rows: VersionsCsvRow[] = [];
  const linkedArtifacts: string[] = [];
  let failures = 0;
  for (const pkg of packages) {
    if (useComponents && pkg.component !== null && pkg.component !== built.component) continue;
    if (pkg.name === built.package) {
      rows.push(row(pkg, built.build, 'SUCCESS', built.component));
      continue;
    }
    const { lastSuccess, lastProcessed } = history(pkg.name);
    if (lastSuccess) linkedArtifacts.push(...lastSuccess.artifacts);
    const source = lastSuccess ?? lastProcessed;
    if (source && lastProcessed) rows.push(row(pkg, source, lastProcessed.status, built.component));
    if (!lastProcessed || lastProcessed.status !== 'SUCCESS') failures += 1;
  }
  return { rows, linkedArtifacts, failures };
}

function row(
  pkg: SnapshotPackage,
  build: SnapshotBuild,
  status: BuildStatus,
  component: string | null,
): VersionsCsvRow {
  return {
    project: pkg.name,
    sourceRepo: pkg.upstream,
    sourceSha: build.commitHash,
    distRepo: pkg.distgit,
    distSha: build.distroHash,
    status,
    lastSuccessTimestamp: Math.trunc(build.dtBuild),
    component,
    extendedSha: build.extendedHash,
    pkgNvr: build.nvr,
  };
}

export const VERSIONS_CSV_HEADER =
  'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR';

/** versions.csv exactly as DLRN writes it: no quoting, nulls as `None`, empty NVR as ``. */
export function renderVersionsCsv(rows: readonly VersionsCsvRow[]): string {
  const cell = (value: string | number | null): string => (value === null ? 'None' : String(value));
  const lines = rows.map((r) =>
    [
      r.project,
      r.sourceRepo ?? '',
      r.sourceSha,
      cell(r.distRepo),
      r.distSha,
      r.status,
      r.lastSuccessTimestamp,
      cell(r.component),
      cell(r.extendedSha),
      r.pkgNvr ?? '',
    ].join(','),
  );
  return [VERSIONS_CSV_HEADER, ...lines].join('\n') + '\n';
}

/**
 * Which pointers a finished build moves (§1.7, §1.9). `current` follows every successful
 * build; `consistent` only a snapshot with no failing package; the `consistent` CI vote is
 * recorded with it outside dev mode. DLRN quirk fixed: when the publication (rsync) failed the
 * build is FAILED, so neither pointer moves (DLRN still moved `current`).
 */
export function publicationDecision(options: {
  readonly failures: number;
  readonly publicationFailed: boolean;
  readonly devMode: boolean;
}): { readonly moveCurrent: boolean; readonly moveConsistent: boolean; readonly consistentVote: boolean } {
  if (options.publicationFailed) return { moveCurrent: false, moveConsistent: false, consistentVote: false };
  const consistent = options.failures === 0;
  return { moveCurrent: true, moveConsistent: consistent, consistentVote: consistent && !options.devMode };
}
