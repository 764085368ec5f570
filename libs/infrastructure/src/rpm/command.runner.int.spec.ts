import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailedError, runChecked, runCommand } from './command.runner.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dlrn-runner-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = { PATH: process.env.PATH };

/** Running, and not a zombie waiting for a parent that may never reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** The pids a shell command wrote, one per line, once `count` are there. */
async function pidsIn(file: string, count: number): Promise<number[]> {
  const read = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
  expect(await waitUntil(() => read().length >= count, 20_000)).toBe(true);
  return read().map(Number);
}

describe('when the process that ran a command is killed with SIGKILL', () => {
  it('takes the whole process tree of the command with it: the command and what it started in the background', async () => {
    const pidFile = join(root, 'tree-pids');
    // A shell (like rpmbuild's %build) with a background child and a foreground one.
    const script = `echo $$ > ${pidFile}; sleep 300 & echo $! >> ${pidFile}; sleep 301 & echo $! >> ${pidFile}; wait`;
    const builder = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        '@swc-node/register/esm-register',
        'test/support/run-command.child.ts',
        'sh',
        '-c',
        script,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((done) => builder.on('exit', done));
    const pids = await pidsIn(pidFile, 3);
    expect(pids.every(isRunning)).toBe(true);

    builder.kill('SIGKILL');
    await exited;
    const gone = await waitUntil(() => !pids.some(isRunning), 5_000);
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL'); // leave no orphan behind
    expect(gone).toBe(true);
  }, 30_000);
});

describe('when a command ends', () => {
  it('kills what it left running in the background, and returns its status and output', async () => {
    const result = await runCommand('sh', ['-c', 'sleep 300 & echo $!; exit 3'], {
      env,
      timeoutMs: 10_000,
      captureStdout: true,
    });
    expect(result).toMatchObject({ code: 3, signal: null, timedOut: false });
    const pid = Number(result.stdout.trim());
    expect(await waitUntil(() => !isRunning(pid), 5_000)).toBe(true);
  });

  it('reports a command killed by a signal as killed by that signal', async () => {
    await expect(runChecked('sh', ['-c', 'kill -TERM $$'], { env, timeoutMs: 10_000 })).rejects.toThrow(
      'sh -c was killed by SIGTERM',
    );
  });

  it('names a command that cannot be started', async () => {
    const error = await runChecked('no-such-command-here', [], { env, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect((error as Error).message).toBe('cannot run no-such-command-here: spawn no-such-command-here ENOENT');
  });
});

describe('when a command outlives its time limit', () => {
  it('kills it and its children, and says so', async () => {
    const pidFile = join(root, 'timeout-pids');
    const started = Date.now();
    const result = await runCommand('sh', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`], {
      env,
      timeoutMs: 1_000,
    });
    expect(result).toMatchObject({ timedOut: true, code: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    const [pid] = await pidsIn(pidFile, 1);
    expect(await waitUntil(() => !isRunning(pid!), 5_000)).toBe(true);
  });
});
