import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';
import { waitFor } from '../support/wait-for.js';

/** Starts `dlrn <args>` and resolves once it printed the line matching `ready`. */
function start(
  args: readonly string[],
  ready: RegExp,
): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string; url: string }> {
  const child = spawn(process.execPath, dlrnArgs(args), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, output: () => out, url: match[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${out}`)));
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('dlrn serve: API, projector and builder in one process', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-serve-'));
  let configFile: string;

  beforeAll(async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds, projects and answers over HTTP, then stops cleanly on SIGTERM', async () => {
    const serve = await start(
      ['serve', '--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), '--port', '0'],
      /api: listening on (http:\/\/[^/]+)\//,
    );
    try {
      // The builder's first pass lands in the views: three successes, a consistent vote.
      const vote = await waitFor(async () => {
        const response = await fetch(`${serve.url}/api/last_tested_repo?max_age=0`);
        return response.status === 200 ? ((await response.json()) as { job_id: string }) : undefined;
      });
      expect(vote.job_id).toBe('consistent');
      const metrics = await (await fetch(`${serve.url}/metrics`)).text();
      expect(metrics).toMatch(/dlrn_builds_succeeded_total\{baseurl="[^"]+"\} 3/);
      const code = exited(serve.child);
      serve.child.kill('SIGTERM');
      expect(await code).toBe(0);
      expect(serve.output()).toMatch(/serve: stopping/);
      await expect(fetch(`${serve.url}/api/health`)).rejects.toThrow();
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 120_000);

  it('runs the API alone (dlrn api) against the stores serve left, with structured logs', async () => {
    expect(
      (await runDlrn(['user', '--config-file', configFile, 'create', '--username', 'ci', '--password', 'pw'])).code,
    ).toBe(0);
    const api = await start(
      ['api', '--config-file', configFile, '--port', '0'],
      /api: listening on (http:\/\/[^/]+)\//,
    );
    try {
      expect(await (await fetch(`${api.url}/api/health`)).json()).toEqual({ result: 'ok' });
      const denied = await fetch(`${api.url}/api/health`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('ci:wrong').toString('base64')}` },
      });
      expect(denied.status).toBe(401);
      await waitFor(async () => (/"event":"login"/.test(api.output()) ? true : undefined), 5_000);
      const line = api
        .output()
        .split('\n')
        .find((l) => l.includes('"event":"login"'))!;
      expect(JSON.parse(line)).toMatchObject({
        event: 'login',
        user: 'ci',
        success: false,
        path: '/api/health',
        method: 'POST',
      });
      const code = exited(api.child);
      api.child.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      api.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('dlrn serve --config-override: one effective configuration for every part', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-serve-override-'));
  let configFile: string;

  beforeAll(async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
    await appendFile(configFile, '[service]\nprotect_read_endpoints=false\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('protects reads and moves the datadir for the API and the projector as for the builder', async () => {
    const moved = join(root, 'elsewhere');
    const auth = { authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}` };
    const overrides = [
      '--config-override',
      'service.protect_read_endpoints=true',
      '--config-override',
      `DEFAULT.datadir=${moved}`,
    ];
    // The user is made in the moved datadir's store, through a copy of the file that names it.
    const movedConfig = join(root, 'moved.ini');
    await writeFile(movedConfig, (await readFile(configFile, 'utf8')).replace('datadir=./data', `datadir=${moved}`));
    const user = await runDlrn([
      'user',
      '--config-file',
      movedConfig,
      'create',
      '--username',
      'ci',
      '--password',
      'pw',
    ]);
    expect(user.code, user.stderr).toBe(0);
    const serve = await start(
      ['serve', '--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), '--port', '0', ...overrides],
      /api: listening on (http:\/\/[^/]+)\//,
    );
    try {
      expect((await fetch(`${serve.url}/api/last_tested_repo?max_age=0`)).status).toBe(401);
      // The builder's builds (in the moved datadir) reach the API's views: they share one store.
      const vote = await waitFor(async () => {
        const response = await fetch(`${serve.url}/api/last_tested_repo?max_age=0`, { headers: auth });
        return response.status === 200 ? ((await response.json()) as { job_id: string }) : undefined;
      });
      expect(vote.job_id).toBe('consistent');
      expect(existsSync(join(moved, 'events.sqlite'))).toBe(true);
      expect(existsSync(join(root, 'data', 'events.sqlite'))).toBe(false);
      const code = exited(serve.child);
      serve.child.kill('SIGTERM');
      expect(await code).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 120_000);
});
