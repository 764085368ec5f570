import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewRequest } from '#domain/package/notification.ports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { CommandReviewRunner } from './command.review-runner.js';

let root: string;
let scriptsDir: string;
let outputDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dlrn-review-'));
  scriptsDir = join(root, 'scripts');
  outputDir = join(root, 'data', 'repos', 'ab', 'cd', 'abcd_1234');
  await mkdir(scriptsDir, { recursive: true });
  await mkdir(outputDir, { recursive: true });
});

afterEach(() => rm(root, { recursive: true, force: true }));

/** `Z` (killed, not yet reaped by its new parent), `gone`, or the live state letter. */
async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null ? 'gone' : (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?');
}

async function script(name: string, body: string, mode = 0o755): Promise<string> {
  const path = join(scriptsDir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
  return path;
}

const request = (): ReviewRequest => ({
  packageName: 'python-foo',
  outputDir,
  datadir: '/srv/data',
  baseurl: 'https://trunk.example.org/centos9',
  distgitDir: '/srv/data/python-foo_distro',
  env: {
    GERRIT_URL: 'https://github.com/openstack/foo/commit/abcd',
    GERRIT_LOG: 'https://trunk.example.org/centos9/ab/cd/abcd_1234',
    GERRIT_MAINTAINERS: 'a@example.org,b@example.org',
    GERRIT_TOPIC: 'rdo-FTBFS',
    BUILD_ENV_VAR: 'from --build-env',
  },
});

describe('when the default submit_review.sh fails', () => {
  it('gets DLRN arguments and environment, and its output lands in review.log', async () => {
    await script(
      'submit_review.sh',
      [
        'for a in "$@"; do echo "arg=$a"; done > "$2/argv.txt"',
        'env > "$2/env.txt"',
        'echo "to stdout"',
        'echo "to stderr" >&2',
        'exit 3',
      ].join('\n'),
    );
    const runner = new CommandReviewRunner({
      scriptsDir,
      baseEnv: { PATH: '/usr/bin:/bin', HOME: '/home/dlrn', GERRIT_TOPIC: 'old' },
    });
    const result = await runner.run(request());
    expect(result).toEqual({ exitCode: 3, output: 'to stdout\nto stderr\n' });
    expect(await readFile(join(outputDir, 'review.log'), 'utf8')).toBe('to stdout\nto stderr\n');
    expect(await readFile(join(outputDir, 'argv.txt'), 'utf8')).toBe(
      [
        'arg=python-foo',
        `arg=${outputDir}`,
        'arg=/srv/data',
        'arg=https://trunk.example.org/centos9',
        'arg=/srv/data/python-foo_distro',
        '',
      ].join('\n'),
    );
    const env = await readFile(join(outputDir, 'env.txt'), 'utf8');
    expect(env).toContain('GERRIT_URL=https://github.com/openstack/foo/commit/abcd\n');
    expect(env).toContain('GERRIT_LOG=https://trunk.example.org/centos9/ab/cd/abcd_1234\n');
    expect(env).toContain('GERRIT_MAINTAINERS=a@example.org,b@example.org\n');
    expect(env).toContain('GERRIT_TOPIC=rdo-FTBFS\n');
    expect(env).toContain('BUILD_ENV_VAR=from --build-env\n');
    expect(env).toContain('HOME=/home/dlrn\n');
  });
});

describe('when the script redirects itself into review.log, as DLRN ships it', () => {
  it('returns what the script wrote there', async () => {
    const command = await script('custom.sh', 'exec > "$2/review.log" 2>&1\necho "No gerrit review to create"');
    const result = await new CommandReviewRunner({ scriptsDir, command }).run(request());
    expect(result).toEqual({ exitCode: 0, output: 'No gerrit review to create\n' });
  });
});

describe('when the script is missing', () => {
  it('reports 127 and says so in review.log instead of throwing', async () => {
    const result = await new CommandReviewRunner({ scriptsDir }).run(request());
    expect(result.exitCode).toBe(127);
    expect(result.output).toContain(join(scriptsDir, 'submit_review.sh'));
    expect(await readFile(join(outputDir, 'review.log'), 'utf8')).toBe(result.output);
  });
});

describe('when the script is not executable', () => {
  it('reports 126', async () => {
    await script('submit_review.sh', 'exit 0', 0o644);
    expect((await new CommandReviewRunner({ scriptsDir }).run(request())).exitCode).toBe(126);
  });
});

describe('when the script hangs past the timeout', () => {
  it('stops it and what it started, and reports 124', async () => {
    await script('submit_review.sh', 'sleep 30 &\necho $! > "$2/child.pid"\nwait');
    const started = Date.now();
    const result = await new CommandReviewRunner({ scriptsDir, timeoutMs: 300 }).run(request());
    expect(result.exitCode).toBe(124);
    expect(result.output).toContain('timed out after 0.3 s');
    expect(Date.now() - started).toBeLessThan(5_000);
    const pid = Number(await readFile(join(outputDir, 'child.pid'), 'utf8'));
    // The kill is sent before run() returns; the kernel may take a moment to reap it under load.
    const ended = await waitFor(async () => ((await processState(pid)).match(/^(gone|Z)$/) ? true : undefined), 5_000);
    expect(ended).toBe(true);
  });
});
