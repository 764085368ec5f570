import type { VersionsCsvRow } from './snapshot.js';

export interface PublishRequest {
  /** `<datadir>/repos`. */
  readonly reposDir: string;
  /** Final hashed directory, relative to reposDir. */
  readonly repoDir: string;
  /** Where the build wrote its files (a staging sibling of the final directory). */
  readonly stagingDir: string;
  /** Other packages' artifacts to link in, relative to datadir (`repos/<dir>/<file>.rpm`). */
  readonly linkedArtifacts: readonly string[];
  readonly versions: readonly VersionsCsvRow[];
  /** The build row, written as `commit.yaml` (DLRN's remote import reads it). */
  readonly commitYaml: Readonly<Record<string, unknown>>;
  /** `<reponame>.repo` contents, or null with `--no-repo`. */
  readonly repoFile: { readonly name: string; readonly contents: string } | null;
  /** `--no-repo`: no links and no createrepo. */
  readonly withRepodata: boolean;
  readonly includeSrpm: boolean;
}

/**
 * Writes repositories on disk. A hashed directory appears complete or not at all: everything is
 * written in the staging directory, then renamed into place.
 */
export abstract class RepoPublisher {
  abstract publish(request: PublishRequest): Promise<void>;

  /** Atomically makes `<reposDir>/<name>` a relative symlink to `<reposDir>/<repoDir>`. */
  abstract movePointer(reposDir: string, name: string, repoDir: string): Promise<void>;

  /** Where `<reposDir>/<name>` points (relative to reposDir), or null. */
  abstract readPointer(reposDir: string, name: string): Promise<string | null>;
}
