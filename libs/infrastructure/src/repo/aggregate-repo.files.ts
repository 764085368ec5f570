import { createHash, randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { aggregateDirOf, type AggregatePart, type AggregateTexts } from '#domain/repo/aggregate-repo.js';
import { RepoPathError, isWithin, resolveInside } from './repo-path.guard.js';

/**
 * The files of DLRN's aggregated repositories (`aggregate_repo_files`) under `<datadir>/repos`:
 * reads the components' `component/<c>/<name>/<reponame>.repo` and `versions.csv`, writes
 * `<name>/<h[0:2]>/<h[2:4]>/<h>/{<reponame>.repo,<reponame>.repo.md5,versions.csv}` and the
 * three links `<name>/<file>` to them, each replaced atomically (a link renamed over the old).
 */
export class AggregateRepoFiles {
  private readonly root: string;

  constructor(
    reposDir: string,
    private readonly reponame: string,
  ) {
    this.root = resolve(reposDir);
  }

  /** DLRN's aggregate hash: the MD5 hex digest of the concatenated `.repo` text. */
  static md5(text: string): string {
    return createHash('md5').update(text, 'utf8').digest('hex');
  }

  /** Components that have a directory under `repos/component/`. */
  async componentsOnDisk(): Promise<string[]> {
    const entries = await readdir(join(this.root, 'component'), { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  /** Where `component/<c>/<name>` points, relative to `repos` (`component/<c>/…`), or null. */
  async componentPointer(component: string, name: string): Promise<string | null> {
    const link = this.inside(`component/${component}/${name}`, 'component pointer');
    let target: string;
    try {
      target = await readlink(link);
    } catch {
      return null;
    }
    const abs = resolve(dirname(link), target);
    if (abs === this.root || !isWithin(this.root, abs)) return null;
    return relative(this.root, abs).split(sep).join('/');
  }

  /** The component's `.repo` and `versions.csv` in the repository `repoDir` (null: absent). */
  async readPart(component: string, repoDir: string): Promise<AggregatePart> {
    const dir = this.inside(repoDir, 'repoDir');
    const read = (file: string) => readFile(join(dir, file), 'utf8').catch(() => null);
    return {
      component,
      repoDir,
      repoFile: await read(`${this.reponame}.repo`),
      versionsCsv: await read('versions.csv'),
    };
  }

  /**
   * Writes the hashed directory, then moves the three links. `repos/<name>` becomes a directory:
   * a symlink left there by the layout without components is replaced.
   */
  async write(name: string, aggregateHash: string, texts: AggregateTexts): Promise<void> {
    const base = this.inside(name, 'aggregate name');
    if (name.includes('/')) throw new RepoPathError('aggregate name', name, 'must be one path segment');
    const found = await lstat(base).catch(() => null);
    if (found?.isSymbolicLink()) await unlink(base);
    const target = this.inside(aggregateDirOf(name, aggregateHash), 'aggregate dir');
    await mkdir(target, { recursive: true });
    const files: [string, string][] = [
      [`${this.reponame}.repo`, texts.repoText],
      [`${this.reponame}.repo.md5`, aggregateHash],
      ['versions.csv', texts.versionsCsv],
    ];
    for (const [file, contents] of files) await atomicWrite(join(target, file), contents);
    for (const [file] of files) {
      const link = join(base, file);
      const temp = `${link}_${randomUUID()}`;
      await symlink(relative(base, join(target, file)), temp);
      await rename(temp, link);
    }
  }

  /** Where `<name>/<reponame>.repo` points: the aggregate directory in force (relative to repos). */
  async currentAggregateDir(name: string): Promise<string | null> {
    const link = this.inside(`${name}/${this.reponame}.repo`, 'aggregate link');
    try {
      const abs = resolve(dirname(link), await readlink(link));
      return isWithin(this.root, abs) ? relative(this.root, dirname(abs)).split(sep).join('/') : null;
    } catch {
      return null;
    }
  }

  private inside(path: string, what: string): string {
    return resolveInside(this.root, this.root, path, what);
  }
}

async function atomicWrite(path: string, contents: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, contents, 'utf8');
  await rename(temp, path);
}
