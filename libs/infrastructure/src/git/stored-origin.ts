import { accessSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `url` of `[remote "origin"]` as stored in a clone's own `.git/config`, read from the file
 * rather than by a git process: a refresh asks it of every clone every pass, and a no-op pass
 * over 400 packages ran 800 `git remote get-url` for it (bench/refresh). The stored value is what
 * DLRN compares too (GitPython's `remotes.origin.url` reads the config).
 *
 * Written by hand because it reads only the plain subset `git clone` writes, and answers
 * undefined (the caller then asks git) for anything else: no `.git` directory of the clone's
 * own that git would take for a repository, an include, a continued line, the old `[remote.origin]` form, a value with quotes, escapes or a
 * comment, or not exactly one `url`. `ini` parses a different dialect (no subsections, its own
 * quoting), so it could not say which files those are.
 */
export async function storedOriginUrl(dir: string): Promise<string | undefined> {
  const gitDir = join(dir, '.git');
  let text: string;
  try {
    // git's own test of a repository (is_git_directory): a HEAD that reads as one, objects/
    // and refs/; what git would refuse is left to git (the caller then re-clones).
    // Synchronous on purpose: four tiny local reads take microseconds, where each asynchronous
    // one waits its turn behind the pass's process spawns on the event loop (measured: the
    // asynchronous reads made a no-op pass of 400 packages 6 s slower than a `git` run each).
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8');
    const config = readFileSync(join(gitDir, 'config'), 'utf8');
    accessSync(join(gitDir, 'objects'));
    accessSync(join(gitDir, 'refs'));
    if (!/^(ref: refs\/\S+|[0-9a-f]{40}|[0-9a-f]{64})\n?$/.test(head)) return undefined;
    text = config;
  } catch {
    return undefined;
  }
  const urls: string[] = [];
  let inOrigin = false;
  for (const raw of text.split('\n')) {
    if (raw.trimEnd().endsWith('\\')) return undefined; // a continued line
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"([^"\\]*)")?\s*\]$/.exec(line);
      if (!header) return undefined;
      const section = header[1]!.toLowerCase();
      if (section === 'include' || section === 'includeif' || section.startsWith('remote.')) return undefined;
      inOrigin = section === 'remote' && header[2] === 'origin';
      continue;
    }
    if (!inOrigin) continue;
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!entry) return undefined;
    if (entry[1]!.toLowerCase() !== 'url') continue;
    const value = entry[2];
    if (value === undefined || value === '' || /["\\#;]/.test(value)) return undefined;
    urls.push(value);
  }
  return urls.length === 1 ? urls[0] : undefined;
}
