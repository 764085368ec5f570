import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { createUser, dlrnArgs, runDlrn } from '../support/cli.js';
import { logRecords, type LogRecord } from '../support/log-records.js';
import { waitFor } from '../support/wait-for.js';

/** Every non-empty stderr line, parsed: the test fails on the first that is not a log record. */
const records = logRecords;

/** `dlrn <args>` as its own process (stderr a pipe: not a terminal), stdout and stderr apart. */
class Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, dlrnArgs(args), { env: { ...process.env, ...env } });
    this.child.stdout.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits until a log record on stderr matches. */
  async logged(test: (record: LogRecord) => boolean, timeoutMs = 90_000): Promise<LogRecord> {
    return waitFor(async () => {
      const complete = this.stderr.slice(0, this.stderr.lastIndexOf('\n') + 1);
      return records(complete).find(test);
    }, timeoutMs);
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

describe('logs: one structured log on stderr for every process', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-logs-'));
  let configFile: string;
  let infoRepo: string;
  let builder: Running;
  let passDone: LogRecord;
  const started = Date.now();

  beforeAll(async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
    infoRepo = join(root, 'rdoinfo');
    // A poll a second: an idle builder that said a line a poll would say several here.
    appendFileSync(configFile, '\n[service]\npoll_interval=1\n');
    builder = new Running(['builder', '--config-file', configFile, '--info-repo', infoRepo], {
      DLRN_LOG_LEVEL: 'debug',
    });
    passDone = await builder.logged((r) => /^builder: pass 1 done: 3 build\(s\)/.test(r.msg), 120_000);
  }, 150_000);

  afterAll(async () => {
    await builder?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe('dlrn builder', () => {
    // The other processes below run on the same site, the builder stopped.
    afterAll(async () => {
      expect(await builder.stop()).toBe(0);
    });

    it('logs each build start (driver), result and the pass with their timestamps and elapsed times', () => {
      const logged = records(builder.stderr);
      const starts = logged.filter((r) => /^building \S+ [0-9a-f]{7} with rpmbuild/.test(r.msg));
      expect(starts.map((r) => r['package']).sort()).toEqual(['broken-tool', 'demo-data', 'python-greeting']);
      expect(starts.every((r) => r['driver'] === 'rpmbuild' && r.service === 'dlrn-builder')).toBe(true);
      const results = logged.filter((r) => /^\[\d\/3\] /.test(r.msg));
      expect(results).toHaveLength(3);
      for (const result of results) expect(result).toMatchObject({ status: 'SUCCESS', seconds: expect.any(Number) });
      expect(passDone).toMatchObject({ builds: 3, exitCode: 0, seconds: expect.any(Number) });
      expect(passDone.time).toBeGreaterThanOrEqual(started);
      // What each refresh fetched, at debug in a daemon.
      expect(logged.some((r) => r.level === 20 && /^refreshing demo-data: fetching \S+/.test(r.msg))).toBe(true);
      // Its stdout is nobody's output: a daemon says all in its log.
      expect(builder.stdout).toBe('');
    });

    it('says once that it is idle, not once a poll', async () => {
      // Polls go on (a debug line each, with the refreshes) …
      await builder.logged(
        (r) => r.level === 20 && /^builder: pass [4-9]\d* done: nothing to build$/.test(r.msg),
        30_000,
      );
      const logged = records(builder.stderr);
      // … while at info the idle daemon said it once.
      const idle = logged.filter((r) => r.level >= 30 && /nothing to build/.test(r.msg));
      expect(idle.map((r) => r.msg)).toEqual(['builder: pass 2 done: nothing to build; idle, polling every 1 s']);
      const afterPass1 = logged.filter((r) => r.level >= 30 && r.time > passDone.time && !/pass 2 done/.test(r.msg));
      expect(afterPass1.map((r) => r.msg)).toEqual([]);
    }, 60_000);
  });

  describe('dlrn api', () => {
    let api: Running;
    let url: string;

    beforeAll(async () => {
      expect((await createUser(configFile, 'ops', 'hunter2-secret')).code).toBe(0);
      // No projector runs beside this API: the user reaches its views by a catch-up.
      expect((await runDlrn(['projector', '--once', '--config-file', configFile])).code).toBe(0);
      api = new Running(['api', '--config-file', configFile, '--port', '0', '--host', '127.0.0.1']);
      const listening = await api.logged((r) => /^api: listening on /.test(r.msg), 60_000);
      url = `http://127.0.0.1:${String(listening['port'])}`;
    }, 90_000);

    afterAll(async () => {
      await api?.stop();
    });

    it('writes an access-log line per request, without credentials or secret query values', async () => {
      const health = await fetch(`${url}/api/health?token=query-secret`);
      expect(health.status).toBe(200);
      const auth = `Basic ${Buffer.from('ops:hunter2-secret').toString('base64')}`;
      const vote = await fetch(`${url}/api/report_result`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ job_id: 'j', url: 'http://ci', timestamp: 1, success: true, notes: '' }),
      });
      expect(vote.status).toBe(400);
      const line = await api.logged((r) => r['kind'] === 'access' && r['url'] === '/api/health?token=***');
      expect(line).toMatchObject({ method: 'GET', status: 200, remote: '127.0.0.1', ms: expect.any(Number) });
      const write = await api.logged((r) => r['kind'] === 'access' && r['url'] === '/api/report_result');
      expect(write).toMatchObject({ method: 'POST', status: 400, user: 'ops' });
      expect(api.stderr).not.toContain('hunter2');
      expect(api.stderr).not.toContain('query-secret');
      expect(api.stderr).not.toContain(auth.slice(6));
    });

    it('serves the build duration histogram and the last successful pass from the views', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toContain('# TYPE dlrn_build_duration_seconds histogram');
      expect(text).toMatch(/^dlrn_build_duration_seconds_bucket\{le="\+Inf"\} 3$/m);
      expect(text).toMatch(/^dlrn_build_duration_seconds_count 3$/m);
      const sum = Number(/^dlrn_build_duration_seconds_sum (\S+)$/m.exec(text)![1]);
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThan((Date.now() - started) / 1000);
      const lastPass = Number(/^dlrn_last_successful_pass_timestamp_seconds (\S+)$/m.exec(text)![1]);
      expect(lastPass * 1000).toBeGreaterThanOrEqual(started);
      expect(lastPass * 1000).toBeLessThanOrEqual(passDone.time);
    });

    it('has only log records on stderr, and nothing on stdout', () => {
      expect(records(api.stderr).every((r) => r.service === 'dlrn-api')).toBe(true);
      expect(api.stdout).toBe('');
    });
  });

  it('dlrn projector: only log records on stderr', async () => {
    const projector = new Running(['projector', '--config-file', configFile]);
    try {
      await projector.logged((r) => /^projector: following the log/.test(r.msg), 60_000);
    } finally {
      expect(await projector.stop()).toBe(0);
    }
    const logged = records(projector.stderr);
    expect(logged.at(-1)!.msg).toMatch(/^projector: at position \d+$/);
    expect(logged.every((r) => r.service === 'dlrn-projector')).toBe(true);
  }, 90_000);

  it('dlrn serve: API, projector and builder log records only, each naming its part', async () => {
    const serve = new Running(['serve', '--config-file', configFile, '--info-repo', infoRepo, '--port', '0']);
    try {
      await serve.logged((r) => /^builder: pass 1 done: nothing to build/.test(r.msg), 90_000);
    } finally {
      await serve.stop();
    }
    const services = new Set(records(serve.stderr).map((r) => r.service));
    expect([...services].sort()).toEqual(['dlrn-api', 'dlrn-builder', 'dlrn-projector']);
  }, 120_000);

  it('a one-shot pass with --log-commands: progress on stdout, the log (JSON) on stderr', async () => {
    const run = await runDlrn(['--config-file', configFile, '--info-repo', infoRepo, '--log-commands']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('nothing to build: no new commit in the selected packages');
    expect(records(run.stderr).some((r) => r['kind'] === 'command' && /^\+ git /.test(r.msg))).toBe(true);
  }, 60_000);

  it('dlrn config check: its report on stdout, plain, no log record in it', async () => {
    const run = await runDlrn(['config', 'check', '--config-file', configFile, '--info-repo', infoRepo]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/OK — 3 package\(s\)/);
    for (const line of run.stdout.split('\n')) expect(line.trimStart().startsWith('{')).toBe(false);
  });
});
