import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export type BuildTempKind = 'srpm' | 'rpmbuild' | 'copr';

/** The host as it may appear in a file name (containers sharing a volume have distinct names). */
function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9-]/g, '_') || 'localhost';
}

/*
 * `dlrn-<kind>-<host>.<pid>-XXXXXX`: the owner is in the name, so a builder starting later can
 * tell the directories of a builder that died (SIGKILL, power loss: no `finally` ran) from those
 * of a builder still at work on the same host.
 */
const NAME = /^dlrn-(?:srpm|rpmbuild|copr)-(.+)\.(\d+)-[A-Za-z0-9]{6}$/;
/*
 * Versions before this one named them `dlrn-<kind>-XXXXXX`, without an owner: those are removed
 * once a day old, far past any live build (each of its three commands is limited to 2 hours).
 */
const LEGACY_NAME = /^dlrn-(?:srpm|rpmbuild)-[A-Za-z0-9]{6}$/;
const LEGACY_AGE_MS = 24 * 3600_000;

/** A fresh private directory for one build step, named for this process. */
export function makeBuildTempDir(parent: string, kind: BuildTempKind): Promise<string> {
  return mkdtemp(join(parent, `dlrn-${kind}-${hostTag()}.${process.pid}-`));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the build directories under `parent` left by builders of this host that are no longer
 * running, and returns the paths removed; never throws. A reused pid only delays a removal, never removes live work.
 */
export async function sweepStaleBuildDirs(parent: string): Promise<string[]> {
  const now = Date.now();
  const names = await readdir(parent).catch(() => [] as string[]);
  const host = hostTag();
  const stale = names.filter((name) => {
    const match = NAME.exec(name);
    if (!match || match[1] !== host) return false;
    const pid = Number(match[2]);
    return pid !== process.pid && !isAlive(pid);
  });
  for (const name of names.filter((n) => LEGACY_NAME.test(n))) {
    const info = await stat(join(parent, name)).catch(() => null);
    if (info?.isDirectory() && now - info.mtimeMs > LEGACY_AGE_MS) stale.push(name);
  }
  // One that cannot be removed (another user's, in a shared /tmp) is left; builds go on.
  const removed = await Promise.all(
    stale.map((name) =>
      rm(join(parent, name), { recursive: true, force: true }).then(
        () => join(parent, name),
        () => null,
      ),
    ),
  );
  return removed.filter((path): path is string => path !== null);
}
