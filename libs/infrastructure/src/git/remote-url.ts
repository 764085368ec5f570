import { resolve } from 'node:path';

/**
 * Git's own rule (`url_is_local_not_ssh`): no `scheme://`, and no colon before the first slash
 * (`host:path` is scp-like ssh syntax).
 */
export function isLocalPath(url: string): boolean {
  if (url.includes('://')) return false;
  const colon = url.indexOf(':');
  if (colon === -1) return true;
  const slash = url.indexOf('/');
  return slash !== -1 && slash < colon;
}

/**
 * The URL to hand `git clone`. A relative local path is made absolute against the process's
 * working directory (what DLRN's `git clone url path` resolves it against), because the clone
 * runs from the target's parent directory.
 */
export function cloneSource(url: string): string {
  return isLocalPath(url) ? resolve(url) : url;
}

/**
 * Whether a clone's `origin` is the configured URL. DLRN compares strings; local paths are
 * compared once resolved because git records `./up` as `/cwd/./up`, which would otherwise look
 * like a changed URL — and a fresh clone — on every run.
 */
export function sameRemote(configured: string, origin: string): boolean {
  if (configured === origin) return true;
  return isLocalPath(configured) && isLocalPath(origin) && resolve(configured) === resolve(origin);
}
