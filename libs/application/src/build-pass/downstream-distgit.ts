import { copyFile, lstat, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import {
  applySpecReplaceRules,
  changelogOf,
  withChangelog,
  type SpecReplaceRule,
} from '#domain/package/spec-replace.js';

export interface UpstreamSpecOverlay {
  /** `<datadir>/<pkg>_distro_upstream[/<distgit-path>]`, at the pinned Dist Sha. */
  readonly upstreamDir: string;
  /** `<datadir>/<pkg>_distro[/<distgit-path>]`, the downstream dist-git that is built. */
  readonly downstreamDir: string;
  readonly rules: readonly SpecReplaceRule[];
  /** `keep_changelog`: the downstream `%changelog` survives the copy. */
  readonly keepChangelog: boolean;
  /** Told about each entry that is not copied. */
  readonly skipped: (name: string, why: string) => void;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The regular `*.spec` files of `dir`: a link is never read or written through. */
async function specFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.spec')).sort();
  const regular: string[] = [];
  for (const name of names) if ((await lstat(join(dir, name))).isFile()) regular.push(name);
  return regular;
}

/**
 * DLRN's `_distgit_setup` with `use_upstream_spec`: the upstream dist-git's files (not hidden
 * ones) are copied over the downstream one, `downstream_spec_replace_list` rewrites the specs,
 * and with `keep_changelog` the downstream `%changelog` is put back. DLRN's `shutil.copy` follows
 * symbolic links and fails on a directory; here a link is copied only when it resolves to a
 * file inside the upstream clone (anything else would put a builder's file into the package),
 * and directories are skipped, each reported.
 */
export async function overlayUpstreamSpec(overlay: UpstreamSpecOverlay): Promise<void> {
  const { upstreamDir, downstreamDir } = overlay;
  let changelog = '';
  if (overlay.keepChangelog) {
    // DLRN keeps the changelog of the last spec it reads, and restores it into every spec.
    for (const name of await specFiles(downstreamDir)) {
      changelog = changelogOf(await readFile(join(downstreamDir, name), 'utf8'));
    }
  }
  const root = await realpath(upstreamDir);
  for (const name of (await readdir(upstreamDir)).sort()) {
    if (name.startsWith('.')) continue;
    const source = join(upstreamDir, name);
    const stats = await lstat(source);
    if (stats.isSymbolicLink()) {
      const real = await realpath(source).catch(() => null);
      const target = real === null ? null : await lstat(real);
      if (real === null || !inside(root, real) || !target?.isFile()) {
        overlay.skipped(name, 'a symbolic link to something other than a file of the upstream dist-git');
        continue;
      }
    } else if (!stats.isFile()) {
      overlay.skipped(name, 'not a regular file');
      continue;
    }
    // A link in the downstream clone is replaced, never written through.
    const dest = join(downstreamDir, name);
    if ((await lstat(dest).catch(() => null))?.isFile() === false) await rm(dest, { recursive: true, force: true });
    await copyFile(source, dest);
  }
  if (overlay.rules.length === 0 && !overlay.keepChangelog) return;
  for (const name of await specFiles(downstreamDir)) {
    const path = join(downstreamDir, name);
    let spec = applySpecReplaceRules(await readFile(path, 'utf8'), overlay.rules);
    if (overlay.keepChangelog) spec = withChangelog(spec, changelog);
    await writeFile(path, spec);
  }
}
