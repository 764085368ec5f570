import type { CommitDiscovered } from '#domain/build/build.events.js';
import type { BuildStatus } from '#domain/build/build.state.js';

/**
 * DLRN's `commits` row for a build, as written to `commit.yaml` (every column; DLRN's remote
 * import resets `id` and reads the rest).
 */
export function commitRow(options: {
  readonly commit: CommitDiscovered['data'];
  readonly dtBuild: number;
  readonly status: BuildStatus;
  readonly artifacts: readonly string[];
  readonly notes: string;
  readonly repoDir: string;
  readonly distgitDir: string;
}): Record<string, unknown> {
  const { commit } = options;
  return {
    id: null,
    type: commit.type,
    dt_commit: commit.dtCommit,
    dt_distro: commit.dtDistro,
    dt_extended: commit.dtExtended,
    dt_build: options.dtBuild,
    project_name: commit.package,
    repo_dir: options.repoDir,
    distgit_dir: options.distgitDir,
    commit_hash: commit.commitHash,
    distro_hash: commit.distroHash,
    extended_hash: commit.extendedHash,
    commit_branch: commit.commitBranch,
    status: options.status,
    component: commit.component,
    artifacts: options.artifacts.length > 0 ? options.artifacts.join(',') : null,
    notes: options.notes,
    flags: 0,
    versions_csv: commit.versionsCsv,
  };
}
