import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from '../shared/config.error.js';
import { childPath, readYamlDocument, type YamlDocument } from './yaml-document.reader.js';

/** The info repo as given by the user (for messages) and as an absolute directory. */
export interface InfoRepo {
  readonly dir: string;
  readonly shown: string;
}

function shownName(repo: InfoRepo, absPath: string): string {
  return join(repo.shown, relative(repo.dir, absPath));
}

function insideRepo(repo: InfoRepo, absPath: string): boolean {
  const rel = relative(repo.dir, absPath);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * distroinfo resolves every import against the info repo root; the brief for this service
 * says "relative to the including file". Both agree for files at the root (rdo.yml importing
 * tags/<release>.yml). For nested files we look beside the including file first and fall back
 * to the repo root, so trees written for distroinfo keep loading.
 */
function resolveImport(repo: InfoRepo, including: string, name: string): string {
  const beside = resolve(dirname(including), name);
  if (existsSync(beside)) return beside;
  const fromRoot = resolve(repo.dir, name);
  return existsSync(fromRoot) ? fromRoot : beside;
}

/**
 * Loads the configured info files and, recursively, what they `import:`, in distroinfo's order:
 * each file, then its imports depth-first. The order decides which file wins when merging.
 *
 * Refused: an import cycle (distroinfo's CircularInfoInclude), a path outside the info repo,
 * remote-info imports (`{remote: file}`, which need network access), a non-list `import:`.
 * Difference from distroinfo: a file imported twice through different paths is loaded once;
 * distroinfo would merge it twice and so duplicate every list in it (maintainers…).
 */
export function loadInfoFiles(
  repo: InfoRepo,
  infoFiles: readonly string[],
  configured: { readonly file: string; readonly section: string },
): YamlDocument[] {
  const loaded: YamlDocument[] = [];
  const done = new Set<string>();
  const stack: string[] = [];

  const visit = (absPath: string, from: { doc: YamlDocument; path: string } | undefined): void => {
    const shown = shownName(repo, absPath);
    const refuse = (reason: string): never => {
      throw from === undefined
        ? new ConfigError({ ...configured, key: 'info_files', reason })
        : new ConfigError({ file: from.doc.shown, key: from.path, line: from.doc.lineOf(from.path), reason });
    };
    if (!insideRepo(repo, absPath)) refuse(`'${shown}' is outside the info repo ${repo.shown}`);
    if (stack.includes(absPath)) {
      const chain = [...stack.slice(stack.indexOf(absPath)), absPath].map((p) => shownName(repo, p));
      refuse(`circular import: ${chain.join(' → ')}`);
    }
    if (done.has(absPath)) return;
    if (!existsSync(absPath)) refuse(`file '${shown}' not found`);
    done.add(absPath);

    const doc = readYamlDocument(absPath, shown);
    loaded.push(doc);
    const imports = doc.data['import'];
    if (imports === undefined || imports === null) return;
    if (!Array.isArray(imports)) {
      throw new ConfigError({
        file: shown,
        key: 'import',
        line: doc.lineOf('import'),
        reason: 'must be a list of file names',
      });
    }
    stack.push(absPath);
    imports.forEach((name: unknown, index) => {
      const path = childPath('import', index);
      if (typeof name !== 'string' || name.trim() === '') {
        throw new ConfigError({
          file: shown,
          key: path,
          line: doc.lineOf(path),
          reason:
            typeof name === 'object' && name !== null
              ? 'remote-info imports are not supported; vendor the file into the info repo'
              : 'must be a file name',
        });
      }
      visit(resolveImport(repo, absPath, name), { doc, path });
    });
    stack.pop();
  };

  for (const name of infoFiles) {
    visit(resolve(repo.dir, name), undefined);
  }
  return loaded;
}
