import { isAbsolute } from 'node:path';
import { CommitLog, type CommitDescription } from '#domain/bisection/commit-log.port.js';
import { GitCommandRunner } from './git-command.runner.js';

const FULL_HASH = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** Fields separated by NUL, commits by RS (0x1e): subjects and names may hold anything else. */
const FORMAT = '--format=%H%x00%an%x00%ae%x00%ct%x00%s%x1e';

/** `git log` through execFile (argument arrays, `--end-of-options`): CommitLog for the bisect history. */
export class GitCommitLog extends CommitLog {
  constructor(private readonly git: GitCommandRunner = new GitCommandRunner()) {
    super();
  }

  override async firstParentLog(dir: string, from: string, to: string, max: number): Promise<CommitDescription[]> {
    if (!isAbsolute(dir)) throw new Error(`firstParentLog: ${dir} is not an absolute directory`);
    if (!FULL_HASH.test(from) || !FULL_HASH.test(to) || !Number.isSafeInteger(max) || max < 1) return [];
    let output: string;
    try {
      output = await this.git.run(dir, [
        'log',
        '--first-parent',
        `--max-count=${max}`,
        FORMAT,
        '--end-of-options',
        `^${from}`,
        to,
        '--',
      ]);
    } catch {
      // A commit the clone does not have (a dist-git rewritten since): nothing to show.
      return [];
    }
    const commits: CommitDescription[] = [];
    for (const record of output.split('\x1e')) {
      const [hash, authorName, authorEmail, time, subject] = record.replace(/^\n/, '').split('\x00');
      if (!hash || subject === undefined) continue;
      commits.push({
        hash,
        subject,
        authorName: authorName ?? '',
        authorEmail: authorEmail ?? '',
        committedAt: Number(time),
      });
    }
    return commits.reverse();
  }
}
