import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { shardedRepoDir } from '#domain/repo/repo-path.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';
import { HostileWorker } from '../support/hostile-worker.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';
import { buildNoarchRpm, type BuiltRpm } from '../support/rpm-fixtures.js';

/** A worker build as the worker's `commit.yaml` describes it. */
interface WorkerCommit {
  readonly pkg: string;
  readonly rpm: BuiltRpm;
  readonly file: string;
  readonly dir: string;
  readonly yaml: string;
}

const sha1 = (seed: string) => createHash('sha1').update(seed).digest('hex');

function workerCommit(pkg: string, rpm: BuiltRpm, dtCommit: number, seed: string): WorkerCommit {
  const commitHash = sha1(seed);
  const distroHash = sha1(`${seed}-distro`);
  const dir = shardedRepoDir({ commitHash, distroHash, extendedHash: null });
  const file = `${rpm.nvr}.noarch.rpm`;
  const yaml = [
    'commits:',
    `- artifacts: repos/${dir}/${file}`,
    '  commit_branch: master',
    `  commit_hash: ${commitHash}`,
    '  component: None',
    `  distro_hash: ${distroHash}`,
    `  dt_build: '${dtCommit + 60}'`,
    `  dt_commit: '${dtCommit}.0'`,
    `  dt_distro: '${dtCommit}'`,
    '  extended_hash: None',
    '  notes: OK',
    `  project_name: ${pkg}`,
    '  status: SUCCESS',
    '  type: rpm',
    '',
  ].join('\n');
  return { pkg, rpm, file, dir, yaml };
}

// The deadline of every import served by the in-process API below: the slow worker must hit it
// well inside a test's time, and a good import (createrepo_c included) must fit well within it.
const DEADLINE_S = 6;
const SECRET = 'SECRET-7d1f0c9e-internal-token';

describe('remote import against hostile workers and hostile users', () => {
  let root: string;
  let worker: HostileWorker;
  const central = () => join(root, 'central');
  const repos = () => join(central(), 'data', 'repos');
  const current = () => readlinkSync(join(repos(), 'current'));
  let rpms: Record<'data1' | 'data2' | 'data3' | 'greeting', BuiltRpm>;
  let goodA: WorkerCommit;
  let goodB: WorkerCommit;

  async function events(): Promise<RecordedEvent[]> {
    const store = new SqliteEventStore(join(central(), 'data', 'events.sqlite'));
    try {
      return await store.readAll({ maxCount: 100_000 });
    } finally {
      await store.close();
    }
  }

  /** Staging directories left in the central repos (of one hashed directory when given). */
  const stagingLeftovers = (of?: WorkerCommit) =>
    readdirSync(repos(), { recursive: true })
      .map(String)
      .filter((p) =>
        p
          .split(sep)
          .pop()!
          .startsWith(of ? `.import-${of.dir.split('/').pop()!}-` : '.import-'),
      );

  /** Serves a worker build under `/<source>/`: its commit.yaml and, unless given, its RPM in full. */
  function serve(source: string, commit: WorkerCommit, rpm?: Parameters<HostileWorker['route']>[1]): string {
    worker.route(`/${source}/commit.yaml`, { kind: 'file', body: commit.yaml });
    worker.route(`/${source}/${commit.file}`, rpm ?? { kind: 'file', body: readFileSync(commit.rpm.rpm) });
    return `${worker.url}/${source}`;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-remote-attack-'));
    mkdirSync(central());
    const rpmDir = join(root, 'rpms');
    mkdirSync(rpmDir);
    // The package list only has to name the packages: imports never clone.
    const packages = ['demo-data', 'python-greeting'].map((name) => ({
      name,
      project: name,
      upstream: join(root, 'nowhere', name),
      distgit: join(root, 'nowhere', `${name}-distgit`),
    }));
    await writeDemoConfig(central(), packages);
    const ini = readFileSync(join(central(), 'projects.ini'), 'utf8');
    // Same store, three policies: the workers on 127.0.0.1 allowed with a short deadline
    // (projects.ini), nothing private allowed (closed.ini), allowed with a long deadline (serve.ini).
    writeFileSync(
      join(central(), 'projects.ini'),
      `${ini}\n[service]\nremote_import_allowed_hosts=127.0.0.1\nremote_import_timeout=${DEADLINE_S}\n`,
    );
    writeFileSync(join(central(), 'closed.ini'), ini);
    writeFileSync(
      join(central(), 'serve.ini'),
      `${ini}\n[service]\nremote_import_allowed_hosts=127.0.0.1\nremote_import_timeout=600\n`,
    );
    rpms = {
      data1: await buildNoarchRpm({ outDir: rpmDir, name: 'demo-data', version: '1.0' }),
      data2: await buildNoarchRpm({ outDir: rpmDir, name: 'demo-data', version: '1.1' }),
      data3: await buildNoarchRpm({ outDir: rpmDir, name: 'demo-data', version: '1.2' }),
      greeting: await buildNoarchRpm({ outDir: rpmDir, name: 'python-greeting', version: '2.0' }),
    };
    goodA = workerCommit('demo-data', rpms.data1, 1_700_000_000, 'good-a');
    goodB = workerCommit('python-greeting', rpms.greeting, 1_700_000_000, 'good-b');
    worker = await new HostileWorker().start();
    const user = await runDlrn([
      'user',
      '--config-file',
      join(central(), 'projects.ini'),
      'create',
      '--username',
      'ci',
      '--password',
      'pw',
    ]);
    expect(user.code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe('through the API', () => {
    let live: LiveApi;
    let app: NestFastifyApplication;
    let closedApp: NestFastifyApplication;

    const optionsFor = (ini: string) => ({
      logLevel: 'silent',
      loadPackages: async () =>
        (await loadConfiguration({ configFile: ini, infoRepo: join(central(), 'rdoinfo') })).packages,
    });

    async function apiFor(iniName: string): Promise<NestFastifyApplication> {
      const ini = join(central(), iniName);
      const api = await createApiApp(loadProjectsIni(ini), optionsFor(ini));
      await api.init();
      await api.getHttpAdapter().getInstance().ready();
      return api;
    }

    const post = (api: NestFastifyApplication, repoUrl: string) =>
      api.inject({
        method: 'POST',
        url: '/api/remote/import',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}`,
        },
        payload: JSON.stringify({ repo_url: repoUrl }),
      });

    beforeAll(async () => {
      const ini = join(central(), 'projects.ini');
      live = await startLiveApi(loadProjectsIni(ini), optionsFor(ini));
      app = live.app;
      closedApp = await apiFor('closed.ini');
    }, 60_000);

    afterAll(async () => {
      await closedApp?.close();
      await live?.close();
    });

    describe('when 127.0.0.1 is allowed and the worker is honest', () => {
      it('imports the build and moves current to it', async () => {
        const answer = await post(app, serve('good-a', goodA));
        expect([answer.statusCode, answer.body]).toEqual([201, JSON.stringify({ repo_url: `${worker.url}/good-a` })]);
        expect(current()).toBe(goodA.dir);
      });
    });

    describe('when 127.0.0.1 is not in remote_import_allowed_hosts', () => {
      it('answers 400 naming the host and fetches nothing', async () => {
        const url = serve('refused', workerCommit('demo-data', rpms.data2, 1_700_000_500, 'refused'));
        const answer = await post(closedApp, url);
        expect(answer.statusCode).toBe(400);
        expect(answer.json().message).toMatch(/127\.0\.0\.1/);
        expect(answer.json().message).toMatch(/remote_import_allowed_hosts/);
        expect(worker.hits('/refused/')).toEqual([]);
        expect(current()).toBe(goodA.dir);
      });
    });

    describe('when an allowed worker redirects to a host that is not allowed', () => {
      it('answers 400 naming the refused host', async () => {
        worker.route('/redirect/commit.yaml', {
          kind: 'redirect',
          location: `http://[::1]:${new URL(worker.url).port}/good-a/commit.yaml`,
        });
        const answer = await post(app, `${worker.url}/redirect`);
        expect(answer.statusCode).toBe(400);
        expect(answer.json().message).toMatch(/\[?::1\]?/);
        expect(answer.json().message).not.toMatch(/ECONNREFUSED/);
      });
    });

    describe('when the worker answers with something that is not a build', () => {
      it.each([
        ['a text page', () => `${SECRET}\nline two\n`],
        ['YAML whose fields hold the secret', () => goodA.yaml.replace(/dt_commit: .*/, `dt_commit: ${SECRET}`)],
        ['an artifact path holding the secret', () => goodA.yaml.replace(/artifacts: .*/, `artifacts: ${SECRET}.rpm`)],
        ['a package name holding the secret', () => goodA.yaml.replace(/project_name: .*/, `project_name: ${SECRET}`)],
      ])('refuses %s without echoing any of it', async (what, body) => {
        const source = `echo-${what.replace(/\W+/g, '-')}`;
        worker.route(`/${source}/commit.yaml`, { kind: 'file', body: body() });
        const answer = await post(app, `${worker.url}/${source}`);
        expect(answer.statusCode).toBe(500);
        expect(answer.json().message).toMatch(/^Remote import failed with error: commit\.yaml/);
        expect(answer.body).not.toContain('SECRET');
      });

      it('does not echo the body of an error answer either', async () => {
        worker.route('/echo-500/commit.yaml', { kind: 'file', status: 500, body: SECRET });
        const answer = await post(app, `${worker.url}/echo-500`);
        expect(answer.statusCode).toBe(500);
        expect(answer.json().message).toMatch(/HTTP 500/);
        expect(answer.body).not.toContain('SECRET');
      });
    });

    describe('when the worker cuts an RPM short without Content-Length', () => {
      it('refuses the import naming the file, and current stays', async () => {
        const commit = workerCommit('demo-data', rpms.data2, 1_700_001_000, 'truncated');
        const whole = readFileSync(commit.rpm.rpm);
        const before = (await events()).length;
        const answer = await post(
          app,
          serve('truncated', commit, {
            kind: 'close-delimited',
            body: whole.subarray(0, Math.floor(whole.length * 0.6)),
          }),
        );
        expect(worker.hits(`/truncated/${commit.file}`)).toHaveLength(1);
        expect(answer.statusCode).toBe(500);
        expect(answer.json().message).toContain(commit.file);
        expect(current()).toBe(goodA.dir);
        expect((await events()).length).toBe(before);
        expect(existsSync(join(repos(), commit.dir))).toBe(false);
        expect(stagingLeftovers()).toEqual([]);
      });
    });

    describe('when the worker serves an RPM with bytes flipped', () => {
      it('refuses the import naming the file, and current stays', async () => {
        const commit = workerCommit('demo-data', rpms.data2, 1_700_002_000, 'corrupt');
        const bytes = Buffer.from(readFileSync(commit.rpm.rpm));
        // In the compressed payload, past every header: the lead and the headers still parse.
        const at = bytes.length - 64;
        for (let i = at; i < at + 8; i++) bytes[i] = bytes[i]! ^ 0xff;
        const before = (await events()).length;
        const answer = await post(app, serve('corrupt', commit, { kind: 'file', body: bytes }));
        expect(answer.statusCode).toBe(500);
        expect(answer.json().message).toContain(commit.file);
        expect(current()).toBe(goodA.dir);
        expect((await events()).length).toBe(before);
        expect(stagingLeftovers()).toEqual([]);
      });
    });

    describe('when one worker is slow (a byte every 2 s)', () => {
      it('does not hold up an import from another worker, and hits the total deadline', async () => {
        const slow = workerCommit('demo-data', rpms.data3, 1_700_003_000, 'slow');
        const started = Date.now();
        const slowAnswer = post(
          app,
          serve('slow', slow, { kind: 'drip', body: readFileSync(slow.rpm.rpm), everyMs: 2000 }),
        );
        while (worker.hits(`/slow/${slow.file}`).length === 0) {
          expect(Date.now() - started).toBeLessThan(30_000); // a bound on a broken worker, not a timing claim
          await new Promise((tick) => setTimeout(tick, 50));
        }
        const other = await Promise.race([
          post(app, serve('good-b', goodB)),
          new Promise<null>((late) => setTimeout(() => late(null), (DEADLINE_S - 2) * 1000)),
        ]);
        expect(other?.statusCode).toBe(201);
        expect(current()).toBe(goodB.dir);
        const answer = await slowAnswer;
        const took = Date.now() - started;
        expect(answer.statusCode).toBe(500);
        expect(answer.json().message).toMatch(/remote_import_timeout/);
        // Ended by the deadline: not before it, and long before the drip (a byte every 2 s) would.
        expect(took).toBeGreaterThanOrEqual(DEADLINE_S * 1000 - 100);
        expect(took).toBeLessThan(DEADLINE_S * 1000 + 15_000);
        expect(current()).toBe(goodB.dir);
        expect(stagingLeftovers()).toEqual([]);
      }, 30_000);
    });
  });

  describe('through the CLI', () => {
    it('applies the same allow-list: 127.0.0.1 refused unless listed', async () => {
      const url = serve('cli-refused', workerCommit('demo-data', rpms.data2, 1_700_004_000, 'cli-refused'));
      const run = await runDlrn([
        'remote',
        '--config-file',
        join(central(), 'closed.ini'),
        '--info-repo',
        join(central(), 'rdoinfo'),
        '--repo-url',
        url,
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^dlrn remote: error: .*127\.0\.0\.1.*remote_import_allowed_hosts/m);
      expect(worker.hits('/cli-refused/')).toEqual([]);
    });
  });

  describe('when dlrn serve gets SIGTERM during a slow import', () => {
    it('aborts the import, cleans its staging directory and exits within a few seconds', async () => {
      const slow = workerCommit('demo-data', rpms.data3, 1_700_005_000, 'serve-slow');
      const url = serve('serve-slow', slow, { kind: 'drip', body: readFileSync(slow.rpm.rpm), everyMs: 2000 });
      const child = spawn(
        process.execPath,
        dlrnArgs([
          'serve',
          '--no-builder',
          '--config-file',
          join(central(), 'serve.ini'),
          '--info-repo',
          join(central(), 'rdoinfo'),
          '--host',
          '127.0.0.1',
          '--port',
          '0',
        ]),
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      try {
        const api = await new Promise<string>((found, fail) => {
          const timer = setTimeout(() => fail(new Error(`serve did not start: ${output}`)), 30_000);
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            // The daemon's log (stderr, JSON lines off a terminal) says where it listens.
            const match = /api: listening on (http:\/\/[^/]+)\//.exec(output);
            if (match) {
              clearTimeout(timer);
              found(match[1]!);
            }
          };
          child.stdout.on('data', onData);
          child.stderr.on('data', onData);
        });
        const importing = fetch(`${api}/api/remote/import`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}`,
          },
          body: JSON.stringify({ repo_url: url }),
        }).then(
          (r) => r.status,
          () => 'connection closed',
        );
        const waitingSince = Date.now();
        while (worker.hits(`/serve-slow/${slow.file}`).length === 0) {
          expect(Date.now() - waitingSince).toBeLessThan(10_000);
          await new Promise((tick) => setTimeout(tick, 50));
        }
        // The RPM is half-way into a staging directory now.
        expect(stagingLeftovers(slow)).toHaveLength(1);
        child.kill('SIGTERM');
        // The download never ends by itself: exiting at all, within a generous bound, is the point.
        const code = await Promise.race([
          exited,
          new Promise<'still running'>((late) => setTimeout(() => late('still running'), 15_000)),
        ]);
        expect(code, output).toBe(0);
        expect(await importing).not.toBe(201);
        expect(stagingLeftovers(slow)).toEqual([]);
        expect(current()).not.toBe(slow.dir);
      } finally {
        child.kill('SIGKILL');
      }
    }, 60_000);
  });
});
