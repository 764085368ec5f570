import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { load } from 'js-yaml';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { startLiveApi } from '../support/live-api.js';
import { commitData } from '../support/events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { runDlrn } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { buildDecider } from '#domain/build/build.decider.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function primaryPackages(repoDir: string): string[] {
  const repomd = readFileSync(join(repoDir, 'repodata', 'repomd.xml'), 'utf8');
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)![1]!;
  const primary = gunzipSync(readFileSync(join(repoDir, href))).toString('utf8');
  return [...primary.matchAll(/<name>([^<]+)<\/name>/g)].map((m) => m[1]!).sort();
}

/** A worker build as its hashed directory says: what `dlrn remote` would be pointed at. */
interface WorkerBuild {
  readonly dir: string;
  readonly package: string;
  readonly status: string;
  readonly dtCommit: number;
  readonly commitYaml: string;
}

function workerBuilds(reposDir: string): WorkerBuild[] {
  return (
    readdirSync(reposDir, { recursive: true })
      .map(String)
      // hashed directories only: not `current`/`consistent` (links), nor staging leftovers
      .filter((p) => /^[0-9a-f]{2}\/[0-9a-f]{2}\/[^/]+\/commit\.yaml$/.test(p))
      .map((p) => {
        const commitYaml = readFileSync(join(reposDir, p), 'utf8');
        const [row] = (load(commitYaml) as { commits: Record<string, string>[] }).commits;
        const dir = p.slice(0, -'/commit.yaml'.length);
        return {
          dir,
          package: row!['project_name']!,
          status: row!['status']!,
          dtCommit: Number(row!['dt_commit']),
          commitYaml,
        };
      })
      .sort((a, b) => a.dtCommit - b.dtCommit)
  );
}

/** node:http serving a directory (symlinks followed, nothing outside it), plus a redirect. */
async function serveDirectory(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/redirect/commit.yaml') {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      return;
    }
    const file = resolve(root, `.${path}`);
    if (relative(root, file).startsWith('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('dlrn remote: a central instance imports builds made by a worker', () => {
  let root: string;
  let packages: DemoPackage[];
  let http: { server: Server; url: string };
  let builds: WorkerBuild[];
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const worker = () => join(root, 'worker');
  const central = () => join(root, 'central');
  const centralRepos = () => join(central(), 'data', 'repos');
  const onWorker = (...args: string[]) =>
    runDlrn(['--config-file', join(worker(), 'projects.ini'), '--info-repo', join(worker(), 'rdoinfo'), ...args]);
  const remote = (url: string) =>
    runDlrn([
      'remote',
      '--config-file',
      join(central(), 'projects.ini'),
      '--info-repo',
      join(central(), 'rdoinfo'),
      '--repo-url',
      url,
    ]);
  // builder-9's claim on demo-data's second build (below) holds this long, then lapses: the
  // API import at the end takes that build over, as any importer would once a builder went away.
  const CLAIM_HOLD_MS = 20_000;
  let claimExpiresAt = 0;
  const urlOf = (build: WorkerBuild) => `${http.url}/repos/${build.dir}`;
  const find = (pkg: string, status: string, nth = 0) =>
    builds.filter((b) => b.package === pkg && b.status === status)[nth]!;

  const centralEvents = (): Promise<RecordedEvent[]> => datadirEvents(join(central(), 'data'));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-remote-'));
    mkdirSync(worker());
    mkdirSync(central());
    packages = await createDemoRepositories(root, start);
    await writeDemoConfig(worker(), packages);
    await writeDemoConfig(central(), packages);
    // The worker is served from 127.0.0.1: private addresses are refused unless listed.
    writeFileSync(
      join(central(), 'projects.ini'),
      `${readFileSync(join(central(), 'projects.ini'), 'utf8')}\n[service]\nremote_import_allowed_hosts=127.0.0.1\n`,
    );
    // The worker: every HEAD, then new commits of which one breaks broken-tool.
    expect((await onWorker()).code).toBe(0);
    await addDemoCommits(packages, start);
    expect((await onWorker()).code).toBe(1);
    builds = workerBuilds(join(worker(), 'data', 'repos'));
    // Served as a worker's web server would: the repos directory, plus hand-made bad repositories.
    const www = join(root, 'www');
    mkdirSync(www);
    symlinkSync(join(worker(), 'data', 'repos'), join(www, 'repos'));
    http = await serveDirectory(www);
  }, 120_000);

  afterAll(async () => {
    await new Promise((done) => http?.server.close(done));
    rmSync(root, { recursive: true, force: true });
  });

  it('the worker made three good builds, then two good ones and a failure', () => {
    expect(builds.map((b) => `${b.package} ${b.status}`)).toEqual([
      'python-greeting SUCCESS',
      'demo-data SUCCESS',
      'broken-tool SUCCESS',
      'broken-tool FAILED',
      'python-greeting SUCCESS',
      'demo-data SUCCESS',
    ]);
  });

  describe('when the first three builds are imported', () => {
    const runs: Awaited<ReturnType<typeof remote>>[] = [];
    beforeAll(async () => {
      for (const pkg of ['python-greeting', 'demo-data', 'broken-tool'])
        runs.push(await remote(urlOf(find(pkg, 'SUCCESS'))));
    }, 60_000);

    it('exits 0 for each and says what it imported', () => {
      for (const run of runs) {
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^imported \S+ [0-9a-f]{7} SUCCESS from http:\/\/127\.0\.0\.1:\d+\/repos\//m);
      }
    });

    it('puts the RPMs in the central hashed directory and its repodata (createrepo_c ran), cumulatively', () => {
      const last = find('broken-tool', 'SUCCESS');
      const dir = join(centralRepos(), last.dir);
      const own = readdirSync(dir).filter((f) => f.endsWith('.rpm'));
      expect(own.filter((f) => f.startsWith('broken-tool'))).toHaveLength(2);
      expect(
        readFileSync(
          join(
            dir,
            own.find((f) => f.endsWith('.noarch.rpm') && f.startsWith('broken-tool'))!,
          ),
        ).equals(
          readFileSync(
            join(
              worker(),
              'data',
              'repos',
              last.dir,
              own.find((f) => f.endsWith('.noarch.rpm') && f.startsWith('broken-tool'))!,
            ),
          ),
        ),
      ).toBe(true);
      expect(primaryPackages(dir)).toEqual([
        'broken-tool',
        'broken-tool',
        'demo-data',
        'demo-data',
        'python-greeting',
        'python-greeting',
      ]);
      expect(readFileSync(join(dir, 'rpmbuild.log'), 'utf8')).toBe(
        readFileSync(join(worker(), 'data', 'repos', last.dir, 'rpmbuild.log'), 'utf8'),
      );
      expect(readFileSync(join(dir, 'delorean.repo'), 'utf8')).toContain(
        `baseurl=file://${centralRepos()}/${last.dir}`,
      );
      expect(readFileSync(join(dir, 'versions.csv'), 'utf8').match(/,SUCCESS,/g)).toHaveLength(3);
    });

    it('moves current to the last import', () => {
      expect(readlinkSync(join(centralRepos(), 'current'))).toBe(find('broken-tool', 'SUCCESS').dir);
    });

    it("keeps DLRN's rule: consistent is not moved by an import, and no consistent vote is added", async () => {
      expect(existsSync(join(centralRepos(), 'consistent'))).toBe(false);
      const events = await centralEvents();
      expect(events.filter((e) => e.type === 'ConsistentMoved' || e.type === 'CiVoteReported')).toEqual([]);
      // the snapshot itself had no failing package: only the import rule holds consistent back
      expect(
        events.filter((e) => e.type === 'RepoPublished').map((e) => (e.data as { failures: number }).failures),
      ).toEqual([2, 1, 0]);
    });

    it('does not move consistent on the next pass of the central builder either', async () => {
      const pass = await runDlrn([
        '--config-file',
        join(central(), 'projects.ini'),
        '--info-repo',
        join(central(), 'rdoinfo'),
        '--run',
        'true',
        '--package-name',
        'demo-data',
      ]);
      expect(pass.code).toBe(0);
      expect(existsSync(join(centralRepos(), 'consistent'))).toBe(false);
      expect(readlinkSync(join(centralRepos(), 'current'))).toBe(find('broken-tool', 'SUCCESS').dir);
    });

    it('records each build once, through the build decider, marked as a remote import', async () => {
      const events = (await centralEvents()).filter((e) => e.streamId.startsWith('build-'));
      expect(events.map((e) => e.type)).toEqual(
        Array(3).fill(['CommitDiscovered', 'BuildClaimed', 'BuildStarted', 'BuildSucceeded', 'RepoPublished']).flat(),
      );
      expect(new Set(events.map((e) => e.metadata.trigger))).toEqual(new Set(['remote-import']));
      const claims = events
        .filter((e) => e.type === 'BuildClaimed')
        .map((e) => (e.data as { builderId: string }).builderId);
      expect(claims).toEqual(
        ['python-greeting', 'demo-data', 'broken-tool'].map((p) =>
          expect.stringMatching(
            new RegExp(`^remote-import:${escapeRegExp(urlOf(find(p, 'SUCCESS')))} \\(\\S+:\\d+\\)$`),
          ),
        ),
      );
      // one process each (the CLI runs): distinct identities
      expect(new Set(claims).size).toBe(3);
      const started = events.find((e) => e.type === 'BuildStarted')!.data as { dtBuild: number; driver: string };
      expect(started.driver).toBe('remote');
      expect(started.dtBuild).toBe(
        Number(
          (load(find('python-greeting', 'SUCCESS').commitYaml) as { commits: { dt_build: string }[] }).commits[0]!
            .dt_build,
        ),
      );
    });
  });

  describe('when the same repository is imported again', () => {
    it('skips it and appends nothing', async () => {
      const before = (await centralEvents()).length;
      const run = await remote(`${urlOf(find('demo-data', 'SUCCESS'))}/`);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^skipped demo-data [0-9a-f]{7}: a newer commit is already built/m);
      expect((await centralEvents()).length).toBe(before);
    });
  });

  describe('when a builder holds the claim on the commit', () => {
    it('leaves the commit to the builder: skipped, no result recorded', async () => {
      const build = find('demo-data', 'SUCCESS', 1);
      const [row] = (load(build.commitYaml) as { commits: Record<string, string>[] }).commits;
      const ref = { commitHash: row!['commit_hash']!, distroHash: row!['distro_hash']!, extendedHash: null };
      const streamId = buildStreamId('demo-data', ref);
      const store = new SqliteEventStore(join(central(), 'data', 'events.sqlite'));
      try {
        const ids = new UuidV7IdGenerator();
        const handler = new DeciderCommandHandler(store, ids, new SystemClock());
        const context = { correlationId: ids.next(), causationId: null, actor: 'builder:builder-9' };
        const commit = commitData({
          package: 'demo-data',
          ...ref,
          dtCommit: Number(row!['dt_commit']),
          dtDistro: Number(row!['dt_distro']),
        });
        await handler.handle(streamId, buildDecider, { type: 'DiscoverCommit', commit }, context);
        claimExpiresAt = Date.now() + CLAIM_HOLD_MS;
        await handler.handle(
          streamId,
          buildDecider,
          { type: 'ClaimBuild', buildId: ids.next(), builderId: 'builder-9', now: new Date(), leaseMs: CLAIM_HOLD_MS },
          context,
        );
      } finally {
        await store.close();
      }
      const run = await remote(urlOf(build));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^skipped demo-data [0-9a-f]{7}: .* is being built by builder-9$/m);
      const stream = (await centralEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);
      expect(stream).toEqual(['CommitDiscovered', 'BuildClaimed']);
      // (the directory itself may exist: the `--run` pass above made it, as DLRN's --run does)
      expect(existsSync(join(centralRepos(), build.dir, 'commit.yaml'))).toBe(false);
    });
  });

  describe('when a failed worker build is imported', () => {
    it('records it as FAILED, with its logs, and leaves current alone', async () => {
      const failed = find('broken-tool', 'FAILED');
      const run = await remote(urlOf(failed));
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^imported broken-tool [0-9a-f]{7} FAILED/m);
      const events = await centralEvents();
      const fail = events.filter((e) => e.type === 'BuildFailed');
      expect(fail).toHaveLength(1);
      expect(fail[0]!.data).toMatchObject({ repoDir: failed.dir });
      expect(readFileSync(join(centralRepos(), failed.dir, 'rpmbuild.log'), 'utf8')).toMatch(/BUILD_OK/);
      expect(existsSync(join(centralRepos(), failed.dir, 'notes.log'))).toBe(true);
      expect(readlinkSync(join(centralRepos(), 'current'))).toBe(find('broken-tool', 'SUCCESS').dir);
    });
  });

  describe('when the input is bad', () => {
    let before: number;
    const bad = (name: string, files: Record<string, string>) => {
      const dir = join(root, 'www', 'bad', name);
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      return `${http.url}/bad/${name}`;
    };
    let closedPort: number;
    beforeAll(async () => {
      before = (await centralEvents()).length;
      const probe = createServer();
      await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
      closedPort = (probe.address() as AddressInfo).port;
      await new Promise((done) => probe.close(done));
    });

    it.each([
      [
        'an unreachable server',
        () => `http://127.0.0.1:${closedPort}/repos/x`,
        /dlrn remote: error: GET http:\/\/127\.0\.0\.1:\d+\/repos\/x\/commit\.yaml: connect ECONNREFUSED/,
      ],
      [
        'a missing commit.yaml',
        () => `${http.url}/repos/nothing-here`,
        /dlrn remote: error: GET \S+\/nothing-here\/commit\.yaml: HTTP 404/,
      ],
      [
        'malformed YAML',
        () => bad('yaml', { 'commit.yaml': 'commits: [ {\n' }),
        /dlrn remote: error: commit\.yaml: file: not valid YAML/,
      ],
      [
        'a file URL',
        () => 'file:///etc',
        /dlrn remote: error: repo_url "file:\/\/\/etc": only http and https are allowed/,
      ],
      [
        'a redirect to a file URL',
        () => `${http.url}/redirect`,
        /dlrn remote: error: GET \S+: redirect to file: refused/,
      ],
      [
        'an artifact path leaving the repository',
        () => {
          const good = find('python-greeting', 'SUCCESS', 1);
          return bad('traversal', {
            'commit.yaml': good.commitYaml.replace(/^([-\s]*artifacts: ).*$/m, '$1../../etc/passwd'),
          });
        },
        /dlrn remote: error: commit\.yaml: commits\[0\]\.artifacts\[0\]: not under repos\/<the hashed directory of the commit>\/$/m,
      ],
      [
        'a missing artifact file',
        () => bad('missing-rpm', { 'commit.yaml': find('python-greeting', 'SUCCESS', 1).commitYaml }),
        /dlrn remote: error: commits\[0\]: artifact python-greeting-\S+\.rpm could not be downloaded: GET \S+: HTTP 404/,
      ],
    ])('refuses %s with a clear error and records nothing', async (_what, url, message) => {
      const run = await remote(url());
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      expect((await centralEvents()).length).toBe(before);
    });

    it('left nothing half-written behind', () => {
      const good = find('python-greeting', 'SUCCESS', 1);
      expect(existsSync(join(centralRepos(), good.dir))).toBe(false);
      const leftovers = readdirSync(centralRepos(), { recursive: true })
        .map(String)
        .filter((p) => p.split(sep).some((s) => s.startsWith('.import-')));
      expect(leftovers).toEqual([]);
    });
  });

  describe('when the build that failed to import is imported from the real repository', () => {
    it('imports it, linking the last good build of every other package', async () => {
      const good = find('python-greeting', 'SUCCESS', 1);
      const run = await remote(urlOf(good));
      expect(run.code).toBe(0);
      expect(readlinkSync(join(centralRepos(), 'current'))).toBe(good.dir);
      expect(primaryPackages(join(centralRepos(), good.dir))).toEqual([
        'broken-tool',
        'broken-tool',
        'demo-data',
        'demo-data',
        'python-greeting',
        'python-greeting',
      ]);
      expect(readFileSync(join(centralRepos(), good.dir, 'versions.csv'), 'utf8')).toMatch(/^broken-tool,.*,FAILED,/m);
    });
  });
  describe('through the API (POST /api/remote/import)', () => {
    it("imports with a user's credentials, and answers bad URLs and failures as DLRN", async () => {
      const ini = join(central(), 'projects.ini');
      expect(
        (await runDlrn(['user', '--config-file', ini, 'create', '--username', 'ci', '--password', 'pw'])).code,
      ).toBe(0);
      const loadPackages = async () =>
        (await loadConfiguration({ configFile: ini, infoRepo: join(central(), 'rdoinfo') })).packages;
      const live = await startLiveApi(loadProjectsIni(ini), { logLevel: 'silent', loadPackages });
      const { app } = live;
      const post = (body: unknown, contentType = 'application/json') =>
        app.inject({
          method: 'POST',
          url: '/api/remote/import',
          headers: { 'content-type': contentType, authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}` },
          payload: JSON.stringify(body),
        });
      try {
        const good = find('demo-data', 'SUCCESS', 1);
        await new Promise((lapsed) => setTimeout(lapsed, Math.max(0, claimExpiresAt + 100 - Date.now())));
        const imported = await post({ repo_url: urlOf(good) });
        expect([imported.statusCode, imported.json()]).toEqual([201, { repo_url: urlOf(good) }]);
        expect(readlinkSync(join(centralRepos(), 'current'))).toBe(good.dir);
        // Read-your-writes: the import is in the views when the call returns.
        const commitHash = good.dir.split('/').pop()!.split('_')[0]!;
        const builds = await app.inject({ method: 'GET', url: `/api/builds?commit_hash=${commitHash}` });
        expect(builds.json().builds[0]).toMatchObject({
          status: 'SUCCESS',
          builder_id: expect.stringMatching(/^remote-import:/),
        });
        expect((await post({ repo_url: urlOf(good) }, 'text/plain')).statusCode).toBe(415);
        expect((await post({ repo_url: 'ftp://example.org/x' })).statusCode).toBe(400);
        expect((await post({})).json()).toEqual({ message: "Errors detected: 1 {'repo_url': 'field required'}" });
        const unreachable = await post({ repo_url: 'http://127.0.0.1:1/repos/x' });
        expect(unreachable.statusCode).toBe(500);
        expect(unreachable.json().message).toMatch(/^Remote import failed with error: /);
      } finally {
        await live.close();
      }
    }, 90_000);
  });
});
