import { cp, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** `<distgit>/<distgit-path>`, refusing a path that leaves the dist-git clone. */
export function specDirectory(distgitDir: string, distgitPath: string | null): string {
  if (!distgitPath) return distgitDir;
  const dir = resolve(distgitDir, distgitPath);
  if (!inside(resolve(distgitDir), dir)) throw new Error(`distgit path ${distgitPath} leaves ${distgitDir}`);
  return dir;
}

/** The single `*.spec` of the directory; none or several is an error naming them. */
export async function findSpecFile(dir: string): Promise<string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new Error(`cannot read the dist-git directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const specs = names.filter((name) => name.endsWith('.spec')).sort();
  if (specs.length === 0) throw new Error(`no .spec file in ${dir}`);
  if (specs.length > 1) throw new Error(`several .spec files in ${dir} (${specs.join(', ')}); expected exactly one`);
  return specs[0]!;
}

/**
 * build_srpm.sh's `cp -a * SOURCES/`: every non-hidden entry of the spec directory (patches,
 * extra sources, the spec itself) goes to SOURCES. Symbolic links are copied as links, like
 * `cp -a`, except those pointing outside the dist-git, which would let a packaging repository
 * put any file of the builder into the source RPM; they are skipped and reported.
 */
export async function copyDistgitSources(
  dir: string,
  sourcesDir: string,
  skipped: (path: string) => void,
): Promise<void> {
  const root = await realpath(dir);
  for (const name of await readdir(dir)) {
    if (name.startsWith('.')) continue;
    await cp(join(dir, name), join(sourcesDir, name), {
      recursive: true,
      verbatimSymlinks: true,
      filter: async (source) => {
        const real = await realpath(source).catch(() => null);
        if (real !== null && inside(root, real)) return true;
        skipped(source);
        return false;
      },
    });
  }
}
