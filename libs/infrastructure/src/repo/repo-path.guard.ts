import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A repository path that would leave `<datadir>/repos`; never written to disk. */
export class RepoPathError extends Error {
  /** Stable code for the CLI/HTTP layers; never rename. */
  readonly code = 'REPO_PATH_OUTSIDE';

  constructor(
    readonly what: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${what} ${JSON.stringify(path)} refused: ${reason}`);
    this.name = 'RepoPathError';
  }
}

/** True when `abs` is `root` itself or below it. */
export function isWithin(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a relative path given by a caller (hashed dir, pointer name, artifact) under `base`
 * and checks it stays strictly below `root`. `..` segments and absolute paths are refused
 * outright, even when they would land inside: these names come from events and HTTP requests,
 * and DLRN never produces them.
 */
export function resolveInside(root: string, base: string, path: string, what: string): string {
  if (path === '' || path.includes('\0')) throw new RepoPathError(what, path, 'empty or contains NUL');
  if (isAbsolute(path)) throw new RepoPathError(what, path, 'must be relative');
  if (path.split(/[\\/]/).includes('..')) throw new RepoPathError(what, path, "must not contain '..'");
  const abs = resolve(base, path);
  if (abs === root || !isWithin(root, abs)) throw new RepoPathError(what, path, `resolves outside ${root}`);
  return abs;
}
