import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The lock could not be taken: flock(1) missing, or another process held it too long. */
export class CloneLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloneLockError';
  }
}

export interface CloneLockOptions {
  /** Seconds to wait for another process's refresh of the same clone (default 600). */
  readonly waitSeconds?: number;
}

/** `<parent>/.<clone>.lock`: beside the clone, so wiping and re-cloning it keeps the lock. */
export function cloneLockPath(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.lock`);
}

/**
 * Runs `work` while this process holds the exclusive lock of the clone `dir`, so two builders
 * on one datadir never run git in the same clone at once (git's `index.lock`: "Another git
 * process seems to be running in this repository").
 *
 * Why a lock per clone and not a working copy per builder: the shared clone is DLRN's layout
 * (`<datadir>/<name>`, `<name>_distro`, which the pipeline, `--order` and bisection read), a
 * copy per builder multiplies disk and network by the number of builders, and refreshes of
 * one clone are short (a fetch and a checkout; ~10 ms locally). Measured on this 2-core
 * machine: taking and releasing the lock costs ~3 ms (one small process), against ~15 ms for
 * a no-op `git fetch` of a local remote.
 *
 * Why flock(1) (util-linux) held by a child process and not a lock file with a pid in it: the
 * kernel drops an flock when its holder dies, so a SIGKILLed builder never leaves a stale lock
 * (its `cat` sees its stdin close and exits), and there is no stale-lock rule to race on. No
 * npm package offering flock is installed. The path reaches flock as an argument, never a shell.
 */
export async function withCloneLock<T>(
  dir: string,
  work: () => Promise<T>,
  options: CloneLockOptions = {},
): Promise<T> {
  const lockPath = cloneLockPath(dir);
  // Synchronous: an asynchronous mkdir waits its turn behind the pass's spawns on the event
  // loop, once per clone and pass (see storedOriginUrl).
  mkdirSync(dirname(lockPath), { recursive: true });
  const waitSeconds = options.waitSeconds ?? 600;
  // `cat` only runs once flock holds the lock: it echoes the byte written to its stdin, and that
  // echo says the lock is ours (flock's own --verbose line is block-buffered on a pipe).
  const holder = spawn('flock', ['--exclusive', '--timeout', String(waitSeconds), lockPath, 'cat'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  const exited = new Promise<number | null>((done) => {
    holder.once('exit', (code) => done(code));
    holder.once('error', () => done(null));
  });
  const acquired = await new Promise<string | null>((done) => {
    let stderr = '';
    holder.stdout.once('data', () => done(null));
    holder.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    holder.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ENOENT' ? 'flock(1) (util-linux) is not installed' : error.message),
    );
    holder.once('exit', (code) => done(stderr.trim() || `flock ended (${code}) before taking the lock`));
    holder.stdin.on('error', () => undefined); // EPIPE when flock ended early: reported above
    holder.stdin.write('\n');
  });
  if (acquired !== null) {
    holder.stdin.destroy();
    await exited;
    throw new CloneLockError(`cannot lock ${lockPath} (another builder refreshing ${dir}?): ${acquired}`);
  }
  try {
    return await work();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
