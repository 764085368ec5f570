import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitCommandError, GitCommandRunner } from './git-command.runner.js';

/** Processes whose command line holds `marker` (pgrep exits 1 when there is none). */
function processesWith(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return [];
  }
}

describe('git commands run by the service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-git-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers stdout, and a failure with its exit code and stderr', async () => {
    const runner = new GitCommandRunner();
    await runner.run(dir, ['init', '-q', '-b', 'main']);
    expect((await runner.run(dir, ['rev-parse', '--is-inside-work-tree'])).trim()).toBe('true');
    const error = await runner.run(dir, ['rev-parse', 'no-such-ref']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect(error).toMatchObject({ exitCode: 128 });
    expect((error as GitCommandError).stderr).toContain('no-such-ref');
    expect(await runner.exitCode(dir, ['merge-base', '--is-ancestor', 'HEAD', 'HEAD'])).toBe(128);
  });

  it('kills a hung remote with its transport helper on timeout, leaving no process behind', async () => {
    // A remote whose transport hangs (as an unreachable https or ssh host would): git's ext::
    // transport runs this command; the marker finds its processes afterwards.
    const marker = `${(30 + Math.random()).toFixed(6)}`;
    const runner = new GitCommandRunner({
      timeoutMs: 1_000,
      env: {
        ...process.env,
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'protocol.ext.allow',
        GIT_CONFIG_VALUE_0: 'always',
      },
    });
    // ext:: splits its command at spaces; `% ` is a space inside one argument.
    const error = await runner.run(dir, ['ls-remote', `ext::sh -c sleep% ${marker}`]).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: null, message: expect.stringContaining('killed after 1000 ms') });
    // SIGKILL of the group is delivered at once; give the kernel a moment to reap.
    for (let i = 0; i < 50 && processesWith(`sleep ${marker}`).length > 0; i++) {
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(processesWith(`sleep ${marker}`)).toEqual([]);
  });
});
