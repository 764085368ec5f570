import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { type PublishRequest, RepoPublisher } from '#domain/repo/repo.ports.js';
import { renderVersionsCsv } from '#domain/repo/snapshot.js';
import { renderCommitYaml } from './commit-yaml.js';
import { RepoPathError, isWithin, resolveInside } from './repo-path.guard.js';
import { traceCommand } from '../runtime/command-trace.js';

const run = promisify(execFile);

/** Publication could not complete; the final hashed directory was left untouched. */
export class RepoPublishError extends Error {
  /** Stable code for the CLI/HTTP layers; never rename. */
  readonly code = 'REPO_PUBLISH_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RepoPublishError';
  }
}

export interface FsRepoPublisherOptions {
  /** The createrepo executable; DLRN prefers `createrepo_c` and so do we. */
  readonly createrepo?: string;
}

// Link creation is I/O-bound and independent per file; a bounded fan-out keeps 800 links fast
// without opening thousands of requests at once.
const LINK_CONCURRENCY = 64;

/**
 * Hashed repositories on the local file system, laid out as DLRN lays them out (§1.8, §1.10).
 * Everything is written in the staging sibling of the final directory and renamed into place,
 * so readers (`current`, rsync, HTTP) see a complete repository or none.
 */
export class FsRepoPublisher extends RepoPublisher {
  private readonly createrepo: string;
  /** Per-link queue: moves of one pointer in this process land in the order they were asked. */
  private readonly pointerQueues = new Map<string, Promise<void>>();

  constructor(options: FsRepoPublisherOptions = {}) {
    super();
    this.createrepo = options.createrepo ?? 'createrepo_c';
  }

  override async publish(request: PublishRequest): Promise<void> {
    const reposDir = resolve(request.reposDir);
    const datadir = dirname(reposDir);
    const finalDir = resolveInside(reposDir, reposDir, request.repoDir, 'repoDir');
    const stagingDir = this.stagingDirOf(reposDir, finalDir, request.stagingDir);
    const repoFileName = request.repoFile?.name;
    if (repoFileName !== undefined && (basename(repoFileName) !== repoFileName || /^\.{0,2}$/.test(repoFileName))) {
      throw new RepoPathError('repo file', repoFileName, 'must be a plain file name');
    }
    await mkdir(stagingDir, { recursive: true });

    if (request.withRepodata) await this.linkArtifacts(reposDir, datadir, finalDir, stagingDir, request);
    await writeFile(resolve(stagingDir, 'versions.csv'), renderVersionsCsv(request.versions));
    await writeFile(resolve(stagingDir, 'commit.yaml'), renderCommitYaml(request.commitYaml));
    if (request.withRepodata) {
      await this.createrepoIn(stagingDir, request.includeSrpm);
      if (request.repoFile) await writeFile(resolve(stagingDir, request.repoFile.name), request.repoFile.contents);
    }
    await this.beforeSwap(stagingDir, finalDir);
    await this.swapIntoPlace(stagingDir, finalDir);
  }

  override async movePointer(reposDir: string, name: string, repoDir: string): Promise<void> {
    const root = resolve(reposDir);
    const linkPath = resolveInside(root, root, stripTrailingSlash(name), 'pointer name');
    const target = resolveInside(root, root, repoDir, 'repoDir');
    if (isWithin(target, linkPath)) throw new RepoPathError('pointer name', name, 'would point at itself');
    await this.queued(linkPath, () => this.replaceLink(linkPath, target));
  }

  private async queued(linkPath: string, work: () => Promise<void>): Promise<void> {
    const previous = this.pointerQueues.get(linkPath) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.pointerQueues.set(linkPath, next);
    try {
      await next;
    } finally {
      if (this.pointerQueues.get(linkPath) === next) this.pointerQueues.delete(linkPath);
    }
  }

  override async readPointer(reposDir: string, name: string): Promise<string | null> {
    const root = resolve(reposDir);
    const linkPath = resolveInside(root, root, stripTrailingSlash(name), 'pointer name');
    let target: string;
    try {
      target = await readlink(linkPath);
    } catch (error) {
      // Missing, or a real directory (`current` with components on): not a pointer.
      if (isErrno(error, 'ENOENT') || isErrno(error, 'EINVAL')) return null;
      throw error;
    }
    const abs = resolve(dirname(linkPath), target);
    if (abs === root || !isWithin(root, abs)) throw new RepoPathError('pointer', name, `points outside ${root}`);
    return relative(root, abs).split(sep).join('/');
  }

  /**
   * What is at a pointer's name: nothing, a symlink, or something else (a directory such as a
   * hash shard, a file such as `skiplist.txt`) that a pointer must never replace.
   */
  async pointerSlot(reposDir: string, name: string): Promise<'absent' | 'link' | 'occupied'> {
    const root = resolve(reposDir);
    const linkPath = resolveInside(root, root, stripTrailingSlash(name), 'pointer name');
    const found = await lstat(linkPath).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return null;
      throw error;
    });
    if (found === null) return 'absent';
    return found.isSymbolicLink() ? 'link' : 'occupied';
  }

  /** Removes a pointer (only a symlink: anything else is left alone). */
  async removePointer(reposDir: string, name: string): Promise<void> {
    const root = resolve(reposDir);
    const linkPath = resolveInside(root, root, stripTrailingSlash(name), 'pointer name');
    await this.queued(linkPath, async () => {
      const found = await lstat(linkPath).catch(() => null);
      if (found?.isSymbolicLink()) await unlink(linkPath);
    });
  }

  /** Test seam: runs once the staging directory is complete, before it becomes visible. */
  protected async beforeSwap(_stagingDir: string, _finalDir: string): Promise<void> {}

  private stagingDirOf(reposDir: string, finalDir: string, staging: string): string {
    const abs = resolve(reposDir, staging);
    // Links are relative to the final directory; they only resolve the same way from a sibling.
    if (!isWithin(reposDir, abs) || dirname(abs) !== dirname(finalDir) || abs === finalDir) {
      throw new RepoPathError('stagingDir', staging, `must be a sibling of ${finalDir}`);
    }
    return abs;
  }

  private async linkArtifacts(
    reposDir: string,
    datadir: string,
    finalDir: string,
    stagingDir: string,
    request: PublishRequest,
  ): Promise<void> {
    const links = new Map<string, string>();
    for (const artifact of request.linkedArtifacts) {
      const abs = resolveInside(reposDir, datadir, artifact, 'artifact');
      const name = basename(abs);
      const other = links.get(name);
      if (other !== undefined && other !== abs) {
        throw new RepoPublishError(`two linked artifacts share the file name ${name}: ${other} and ${abs}`);
      }
      links.set(name, abs);
    }
    const entries = [...links];
    // createrepo_c silently skips dangling links, which would publish an incomplete repository
    // (and possibly a `consistent` one); DLRN did not check, we refuse.
    const missing: string[] = [];
    await forEachBounded(entries, async ([, abs]) => {
      const found = await stat(abs).catch(() => null);
      if (!found?.isFile()) missing.push(relative(datadir, abs));
    });
    if (missing.length > 0) {
      throw new RepoPublishError(`linked artifacts missing on disk: ${missing.sort().join(', ')}`);
    }
    // One readdir instead of a lstat per link: the build's own files, plus links left by an
    // interrupted earlier publication of the same staging directory (those are replaced).
    const present = new Map((await readdir(stagingDir, { withFileTypes: true })).map((e) => [e.name, e]));
    await forEachBounded(entries, async ([name, abs]) => {
      const linkPath = resolve(stagingDir, name);
      const existing = present.get(name);
      if (existing && !existing.isSymbolicLink()) {
        throw new RepoPublishError(`${name}: the build produced a file of that name, cannot link ${abs}`);
      }
      if (existing) await unlink(linkPath);
      await symlink(relative(finalDir, abs), linkPath);
    });
  }

  private async createrepoIn(dir: string, includeSrpm: boolean): Promise<void> {
    // createrepo_c refuses to start while a `.repodata` from an interrupted run is present.
    await rm(resolve(dir, '.repodata'), { recursive: true, force: true });
    const args = includeSrpm ? [dir] : ['-x', '*.src.rpm', dir];
    try {
      traceCommand(this.createrepo, args);
      await run(this.createrepo, args, { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: unknown }).stderr;
      const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : String(error);
      throw new RepoPublishError(`${this.createrepo} failed in ${dir}: ${detail}`, { cause: error });
    }
  }

  /**
   * Makes the staging directory the final one. A final directory left by an interrupted
   * earlier publication is moved aside first (rename cannot replace a non-empty directory),
   * then removed; if the second rename fails the old one is put back.
   */
  private async swapIntoPlace(stagingDir: string, finalDir: string): Promise<void> {
    const existing = await lstat(finalDir).catch(() => null);
    if (!existing) {
      await rename(stagingDir, finalDir);
      return;
    }
    const aside = `${dirname(finalDir)}/.replaced-${basename(finalDir)}-${process.pid}-${Date.now()}`;
    await rename(finalDir, aside);
    try {
      await rename(stagingDir, finalDir);
    } catch (error) {
      await rename(aside, finalDir).catch(() => undefined);
      throw new RepoPublishError(`could not move ${stagingDir} to ${finalDir}`, { cause: error });
    }
    await rm(aside, { recursive: true, force: true });
  }

  /**
   * DLRN's pattern, a fresh link renamed over `<name>` (rename is atomic), with a temporary
   * name of our own per move (`.dlrn-link.<random>.tmp`): DLRN's shared `<name>_` let two
   * processes moving one pointer rename each other's link (or find it gone), and deleted any
   * real `<name>_` on its way.
   */
  private async replaceLink(linkPath: string, target: string): Promise<void> {
    const found = await stat(target).catch(() => null);
    if (!found?.isDirectory()) throw new RepoPublishError(`cannot point at ${target}: not a directory`);
    const current = await lstat(linkPath).catch(() => null);
    if (current && !current.isSymbolicLink()) {
      throw new RepoPublishError(`${linkPath} exists and is not a symlink; refusing to replace it`);
    }
    await mkdir(dirname(linkPath), { recursive: true });
    // Not derived from the name: a name of 254 bytes (the most a promotion may have) must still
    // leave room for the temporary one within the 255 bytes of a file name.
    const temporary = `${dirname(linkPath)}/.dlrn-link.${randomBytes(8).toString('hex')}.tmp`;
    await symlink(relative(dirname(linkPath), target), temporary);
    try {
      await rename(temporary, linkPath);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

function stripTrailingSlash(name: string): string {
  return name.replace(/\/+$/, '');
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

async function forEachBounded<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINK_CONCURRENCY, items.length) }, worker));
}
