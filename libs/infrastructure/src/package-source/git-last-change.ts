import type { GitCommitInfo } from '#domain/package/git.ports.js';
import { GitCommandRunner } from '#infrastructure/git/git-command.runner.js';

/**
 * `git log -1 --format=%H %ct -- <path>` in `dir`: DLRN's distro_hash for the gitrepo and
 * local drivers. `path` is relative and stays inside the clone (git refuses `..` outside it);
 * `--` keeps it from ever being read as an option or a revision.
 */
export async function lastChange(git: GitCommandRunner, dir: string, path: string): Promise<GitCommitInfo> {
  const out = (await git.run(dir, ['log', '-1', '--format=%H%x00%ct', '--', path])).trim();
  const [hash, time] = out.split('\0');
  if (!hash || !time || !/^[0-9a-f]{40,64}$/.test(hash)) throw new Error(`no commit touches ${path} in ${dir}`);
  return { hash, committedAt: Number(time) };
}
