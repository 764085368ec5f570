import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { addDemoCommits, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { buildsProjection, type BuildDoc } from '#domain/projections/index.js';
import { loadProjectsIni, type DlrnConfig } from '#infrastructure/config/index.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { ReadModelStore } from '#domain/projections/index.js';
import { createUser, runDlrn } from '../support/cli.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const CI = basic('ci', 'secret');

/**
 * DLRN's API over HTTP on real builds: two passes of the build loop on generated git repos
 * (rpmbuild, createrepo_c), a user made by `dlrn user`, a projector running beside the API.
 */
describe("DLRN's REST API on real builds", () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-api-'));
  let configFile: string;
  let config: DlrnConfig;
  let live: LiveApi;
  let app: NestFastifyApplication;
  let events: EventStore;
  let views: ReadModelStore;
  let good: BuildDoc;
  let failed: BuildDoc;
  const repos = () => join(root, 'data', 'repos');

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const post = (url: string, body: unknown, headers: Record<string, string> = { ...JSON_TYPE, ...CI }) =>
    app.inject({ method: 'POST', url, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createDemoRepositories(root, start);
    configFile = await writeDemoConfig(root, packages);
    const pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    expect((await runDlrn(pass)).code).toBe(0);
    await addDemoCommits(packages, start);
    expect((await runDlrn(pass)).code).toBe(1);
    expect((await createUser(configFile, 'ci', 'secret')).code).toBe(0);
    config = loadProjectsIni(configFile);
    live = await startLiveApi(config, { logLevel: 'silent' });
    ({ app, events, views } = live);
    const builds = (await views.find(buildsProjection, { orderBy: [{ column: 'id', direction: 'desc' }] })).map(
      (b) => b.doc,
    );
    good = builds.find((b) => b.status === 'SUCCESS' && b.package === 'demo-data')!;
    failed = builds.find((b) => b.status === 'FAILED')!;
    expect(good).toBeDefined();
    expect(failed.package).toBe('broken-tool');
  }, 180_000);

  afterAll(async () => {
    await live?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const hashes = () => ({ commit_hash: good.commitHash, distro_hash: good.distroHash });

  describe('health', () => {
    it('answers ok to anyone on GET, and checks credentials on POST', async () => {
      expect((await get('/api/health')).json()).toEqual({ result: 'ok' });
      const anonymous = await app.inject({ method: 'POST', url: '/api/health' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.body).toBe('Unauthorized Access');
      expect(anonymous.headers['www-authenticate']).toBe('Basic realm="Authentication Required"');
      const wrong = await app.inject({ method: 'POST', url: '/api/health', headers: basic('ci', 'nope') });
      expect(wrong.statusCode).toBe(401);
      const ok = await app.inject({ method: 'POST', url: '/api/health', headers: CI });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ result: 'ok' });
    });
  });

  describe('votes', () => {
    it("answers DLRN's own consistent vote while no CI voted", async () => {
      const answer = await get('/api/last_tested_repo?max_age=0');
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ job_id: 'consistent', success: true, in_progress: false, user: null });
    });

    it('refuses bad parameters with DLRN messages', async () => {
      expect((await get('/api/last_tested_repo')).json()).toEqual({
        message: "Errors detected: 1 {'max_age': 'field required'}",
      });
      const negative = await get('/api/last_tested_repo?max_age=-1');
      expect([negative.statusCode, negative.json()]).toEqual([
        400,
        { message: 'Max age parameter must be greater than or equal to 0' },
      ]);
      expect((await get('/api/last_tested_repo?max_age=0&sequential_mode=true')).json()).toEqual({
        message: 'Missing parameter previous_job_id',
      });
      const none = await get('/api/last_tested_repo?max_age=0&sequential_mode=1&previous_job_id=nobody');
      expect([none.statusCode, none.json()]).toEqual([400, { message: 'No vote found' }]);
    });

    it('records a verdict (report_result) and answers it to last_tested_repo and repo_status', async () => {
      const timestamp = Math.floor(Date.now() / 1000);
      const vote = {
        ...hashes(),
        job_id: 'tempest',
        url: 'https://ci/1',
        timestamp,
        success: true,
        notes: 'all green',
      };
      const reported = await post('/api/report_result', vote);
      expect(reported.statusCode).toBe(201);
      expect(reported.json()).toEqual({
        ...hashes(),
        extended_hash: null,
        aggregate_hash: null,
        timestamp,
        job_id: 'tempest',
        success: true,
        in_progress: false,
        url: 'https://ci/1',
        notes: 'all green',
        user: 'ci',
        component: null,
      });
      // Read-your-writes: the very next read sees it.
      expect((await get('/api/last_tested_repo?max_age=1&job_id=tempest')).json()).toMatchObject({
        ...hashes(),
        job_id: 'tempest',
        user: 'ci',
      });
      expect((await get('/api/last_tested_repo?max_age=0')).json()).toMatchObject({ job_id: 'tempest' });
      // An unknown job falls back to any CI's newest vote, as DLRN does.
      expect((await get('/api/last_tested_repo?max_age=0&job_id=unknown')).json()).toMatchObject({ job_id: 'tempest' });
      const status = await get(`/api/repo_status?commit_hash=${good.commitHash}&distro_hash=${good.distroHash}`);
      expect(status.json()).toContainEqual(
        expect.objectContaining({ job_id: 'tempest', url: 'https://ci/1', notes: 'all green', success: true }),
      );
      const onlyFailures = await get(
        `/api/repo_status?commit_hash=${good.commitHash}&distro_hash=${good.distroHash}&success=false`,
      );
      expect(onlyFailures.json()).toEqual([]);
    });

    it("reads a GET's JSON body instead of its query string, as DLRN does", async () => {
      const getJson = (url: string, body: string) =>
        app.inject({ method: 'GET', url, headers: { 'content-type': 'application/json' }, payload: body });
      const byQuery = (await get('/api/last_tested_repo?max_age=0&job_id=tempest')).json();
      // the query string is ignored once the request is JSON
      const byBody = await getJson('/api/last_tested_repo?max_age=oops', '{"max_age": 0, "job_id": "tempest"}');
      expect([byBody.statusCode, byBody.json()]).toEqual([200, byQuery]);
      const status = await getJson(
        '/api/repo_status',
        JSON.stringify({ commit_hash: good.commitHash, distro_hash: good.distroHash, success: false }),
      );
      expect([status.statusCode, status.json()]).toEqual([200, []]);
      const missing = await getJson('/api/last_tested_repo?max_age=0', '{"job_id": "tempest"}');
      expect([missing.statusCode, missing.json()]).toEqual([
        400,
        { message: "Errors detected: 1 {'max_age': 'field required'}" },
      ]);
      const empty = await getJson('/api/last_tested_repo?max_age=0', '');
      expect(empty.statusCode).toBe(400);
      expect(typeof empty.json().message).toBe('string');
      // our own resources read it too, and never answer one body's result to another request
      const all = (await get('/api/packages')).json().packages.length;
      const filtered = await getJson('/api/packages', '{"status": "NO_SUCH_STATUS"}');
      expect(filtered.statusCode).toBe(400);
      expect((await getJson('/api/packages', '{"name": "zzz-none"}')).json()).toEqual({ packages: [] });
      expect((await get('/api/packages')).json().packages).toHaveLength(all);
    });

    it('refuses report_result without JSON, without credentials, with bad hashes', async () => {
      const vote = { ...hashes(), job_id: 'j', url: 'u', timestamp: 1, success: true };
      const charset = await post('/api/report_result', vote, {
        'content-type': 'application/json; charset=utf-8',
        ...CI,
      });
      expect([charset.statusCode, charset.json()]).toEqual([415, { message: 'Unsupported Media Type, use JSON' }]);
      expect((await post('/api/report_result', vote, JSON_TYPE)).statusCode).toBe(401);
      const unknown = await post('/api/report_result', { ...vote, commit_hash: 'f'.repeat(40) });
      expect([unknown.statusCode, unknown.json()]).toEqual([
        400,
        { message: 'commit_hash+distro_hash+extended_hash combination not found' },
      ]);
      expect((await post('/api/report_result', { ...vote, commit_hash: undefined })).json()).toEqual({
        message: 'If distro_hash is provided, commit_hash must be provided too',
      });
      expect(
        (
          await post('/api/report_result', {
            job_id: 'j',
            url: 'u',
            timestamp: 1,
            success: true,
            aggregate_hash: 'nope',
          })
        ).json(),
      ).toEqual({
        message: 'aggregate_hash not found',
      });
      const failedBuild = { ...vote, commit_hash: failed.commitHash, distro_hash: failed.distroHash };
      expect((await post('/api/report_result', failedBuild)).statusCode).toBe(400);
    });

    it('lets a CI claim the repo it tests (POST last_tested_repo)', async () => {
      const claim = await post('/api/last_tested_repo', { max_age: 0, job_id: 'tempest', reporting_job_id: 'phase2' });
      expect(claim.statusCode).toBe(201);
      expect(claim.json()).toMatchObject({
        ...hashes(),
        job_id: 'phase2',
        success: false,
        in_progress: true,
        user: 'ci',
      });
      const status = await get(`/api/repo_status?commit_hash=${good.commitHash}&distro_hash=${good.distroHash}`);
      expect(status.json()).toContainEqual(expect.objectContaining({ job_id: 'phase2', in_progress: true }));
      expect((await post('/api/last_tested_repo', { max_age: 0 })).json()).toEqual({
        message: "Errors detected: 1 {'reporting_job_id': 'field required'}",
      });
    });

    it('filters on success: success=false finds the in-progress claim, success=true the passed vote', async () => {
      // Votes so far: tempest passed, then phase2 claimed the repo (in progress, not a success).
      const failed = await get('/api/last_tested_repo?max_age=0&success=false');
      expect([failed.statusCode, failed.json()]).toEqual([
        200,
        expect.objectContaining({ job_id: 'phase2', success: false, in_progress: true }),
      ]);
      const passed = await get('/api/last_tested_repo?max_age=0&success=true');
      expect(passed.json()).toMatchObject({ job_id: 'tempest', success: true });
      // A job with no failed vote falls back, as DLRN does, to any CI's newest failed vote.
      const fallback = await get('/api/last_tested_repo?max_age=0&success=false&job_id=tempest');
      expect(fallback.json()).toMatchObject({ job_id: 'phase2', success: false });
    });

    it('answers repo_status and agg_status errors as DLRN', async () => {
      expect((await get('/api/repo_status?commit_hash=abc&distro_hash=def')).json()).toEqual({
        message: 'commit_hash+distro_hash+extended_hash combination not found',
      });
      expect((await get('/api/repo_status?commit_hash=abc')).json()).toEqual({
        message: "Errors detected: 1 {'distro_hash': 'field required'}",
      });
      expect((await get('/api/agg_status?aggregate_hash=unknown')).json()).toEqual([]);
      expect((await get('/api/agg_status')).statusCode).toBe(400);
    });
  });

  describe('promotions', () => {
    it('promotes a repo: a relative symlink on disk, a promotion in the list', async () => {
      const promoted = await post('/api/promote', { ...hashes(), promote_name: 'tripleo-ci-testing' });
      expect(promoted.statusCode).toBe(201);
      expect(promoted.json()).toMatchObject({
        ...hashes(),
        promote_name: 'tripleo-ci-testing',
        repo_hash: `${good.commitHash}_${good.distroHash.slice(0, 8)}`,
        repo_url: `${config.default.baseurl}/${good.repoDir}`,
        user: 'ci',
        aggregate_hash: null,
      });
      expect(readlinkSync(join(repos(), 'tripleo-ci-testing'))).toBe(good.repoDir);
      const list = await get('/api/promotions?promote_name=tripleo-ci-testing');
      expect(list.json()).toEqual([expect.objectContaining({ promote_name: 'tripleo-ci-testing', ...hashes() })]);
    });

    it('refuses reserved names and names leaving the repos directory (403), unknown commits (400)', async () => {
      // 'é' × 200 is 200 characters but 400 bytes: past a file name's 255 bytes, refused like the
      // other unusable names rather than failing in the file system (500).
      for (const name of ['current', 'consistent', '..', '../escape', 'a/b', '.', 'é'.repeat(200)]) {
        const answer = await post('/api/promote', { ...hashes(), promote_name: name });
        expect([answer.statusCode, answer.json()]).toEqual([403, { message: `Invalid promote_name ${name}` }]);
      }
      // 127 × 'é' is 254 bytes: the longest name that fits.
      const longest = await post('/api/promote', { ...hashes(), promote_name: 'é'.repeat(127) });
      expect(longest.statusCode).toBe(201);
      expect(readlinkSync(join(repos(), 'é'.repeat(127)))).toBe(good.repoDir);
      const unknown = await post('/api/promote', { commit_hash: 'a', distro_hash: 'b', promote_name: 'x' });
      expect([unknown.statusCode, unknown.json()]).toEqual([
        400,
        { message: 'commit_hash+distro_hash+extended_hash combination not found' },
      ]);
      expect((await post('/api/promote', { promote_name: 'x' })).json()).toEqual({
        message: 'Both commit_hash and distro_hash must be specified.',
      });
      expect(lstatSync(join(repos(), 'current')).isSymbolicLink()).toBe(true);
    });

    it('promotes a batch, and rolls every link back when one cannot be made', async () => {
      const batch = await post('/api/promote-batch', [
        { ...hashes(), promote_name: 'batch-a' },
        { ...hashes(), promote_name: 'batch-b' },
      ]);
      expect(batch.statusCode).toBe(201);
      expect(batch.json()).toMatchObject({ promote_name: 'batch-b' });
      expect(readlinkSync(join(repos(), 'batch-a'))).toBe(good.repoDir);
      // A real directory where the second link should go: the link cannot replace it.
      mkdirSync(join(repos(), 'not-a-link'));
      const other = (
        await views.find(buildsProjection, { where: { status: 'SUCCESS', package: 'python-greeting' } })
      )[0]!.doc;
      const failing = await post('/api/promote-batch', [
        { commit_hash: other.commitHash, distro_hash: other.distroHash, promote_name: 'batch-a' },
        { ...hashes(), promote_name: 'not-a-link' },
      ]);
      expect(failing.statusCode).toBe(500);
      expect(failing.json().message).toMatch(
        /^Symlink creation failed with error: .*All previously created symlinks have been rolled back\.$/,
      );
      expect(readlinkSync(join(repos(), 'batch-a'))).toBe(good.repoDir);
      expect((await get('/api/promotions?promote_name=batch-a')).json()).toHaveLength(1);
      const bad = await post('/api/promote-batch', [{ ...hashes(), promote_name: 'ok' }, { promote_name: 'current' }]);
      expect([bad.statusCode, bad.json()]).toEqual([403, { message: 'Invalid promote_name current' }]);
      const missing = await post('/api/promote-batch', [{ commit_hash: 'a', distro_hash: 'b', promote_name: 'x' }]);
      expect(missing.json()).toEqual({
        message: 'commit_hash+distro_hash+extended_hash combination not found for a_b_None',
      });
      expect((await post('/api/promote-batch', [])).statusCode).toBe(400);
      expect((await post('/api/promote-batch', { promote_name: 'x' })).statusCode).toBe(400);
    });

    it('lists promotions newest first with DLRN filters, offset and limit', async () => {
      const all = (await get('/api/promotions')).json() as { promote_name: string }[];
      expect(all.map((p) => p.promote_name).slice(0, 4)).toEqual([
        'batch-b',
        'batch-a',
        'é'.repeat(127),
        'tripleo-ci-testing',
      ]);
      expect((await get('/api/promotions?limit=1&offset=1')).json()).toEqual([all[1]]);
      expect((await get('/api/promotions?limit=0')).json()).toEqual([]);
      expect(
        (await get(`/api/promotions?commit_hash=${good.commitHash}&distro_hash=${good.distroHash}`)).json(),
      ).toHaveLength(4);
      expect((await get(`/api/promotions?commit_hash=${good.commitHash}`)).json()).toEqual({
        message: 'Both commit_hash and distro_hash must be specified if one of them is.',
      });
      expect((await get('/api/promotions?limit=-1')).statusCode).toBe(400);
      expect((await get('/api/components')).json()).toEqual({ components: [] });
    });
  });

  describe('conditional GETs', () => {
    it('answers 304 to a matching If-None-Match, and a new ETag once the views change', async () => {
      const first = await get('/api/promotions');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"/);
      expect(first.headers['cache-control']).toBe('no-cache');
      const again = await get('/api/promotions', { 'if-none-match': etag });
      expect([again.statusCode, again.body]).toEqual([304, '']);
      await post('/api/promote', { ...hashes(), promote_name: 'etag-check' });
      const changed = await get('/api/promotions', { 'if-none-match': etag });
      expect(changed.statusCode).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
    });
  });

  describe('builds', () => {
    it('counts builds by date (end day excluded) and refuses bad dates', async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const counts = (await get(`/api/metrics/builds?start_date=${day(-3)}&end_date=${day(1)}`)).json();
      expect(counts).toEqual({ succeeded: 5, failed: 1, total: 6 });
      expect(
        (await get(`/api/metrics/builds?start_date=${day(-3)}&end_date=${day(1)}&package_name=broken-tool`)).json(),
      ).toEqual({
        succeeded: 1,
        failed: 1,
        total: 2,
      });
      expect((await get(`/api/metrics/builds?start_date=${day(1)}&end_date=${day(2)}`)).json()).toEqual({
        succeeded: 0,
        failed: 0,
        total: 0,
      });
      const bad = await get('/api/metrics/builds?start_date=yesterday&end_date=2026-01-01');
      expect([bad.statusCode, bad.json()]).toEqual([400, { message: 'Invalid date format, it must be YYYY-mm-dd' }]);
    });

    it("exposes DLRN's Prometheus counters", async () => {
      const text = (await get('/metrics')).body;
      expect(text).toContain(`dlrn_builds_succeeded_total{baseurl="${config.default.baseurl}"} 5`);
      expect(text).toContain(`dlrn_builds_failed_total{baseurl="${config.default.baseurl}"} 1`);
      expect(text).toContain(`dlrn_builds_total{baseurl="${config.default.baseurl}"} 6`);
      expect(text).toContain('# HELP dlrn_builds_retry_total Total number of builds in retry state');
      // The request summary counts every answer sent (this scrape's own comes after it).
      expect(text).toContain('# TYPE dlrn_request_processing_seconds summary');
      const count = (t: string) => Number(/^dlrn_request_processing_seconds_count (\d+)$/m.exec(t)?.[1]);
      expect(count(text)).toBeGreaterThan(0);
      await get('/api/health');
      expect(count((await get('/metrics')).body)).toBe(count(text) + 2);
    });

    it('rechecks a failed package once, refuses a successful one (409) and unknown ones', async () => {
      // DLRN also takes a form here; we take JSON only, as its other writes (issue 13: a page on
      // another site can post a form with the browser's cached credentials).
      const form = { 'content-type': 'application/x-www-form-urlencoded', ...CI };
      const refused = await app.inject({
        method: 'POST',
        url: '/api/recheck_package',
        headers: form,
        payload: 'package_name=broken-tool',
      });
      expect([refused.statusCode, refused.json()]).toEqual([415, { message: 'Unsupported Media Type, use JSON' }]);
      const ok = await post('/api/recheck_package', { package_name: 'broken-tool' });
      expect([ok.statusCode, ok.json()]).toEqual([201, { result: 'ok' }]);
      // The failure no longer counts: DLRN's "last processed" build is now the success before it.
      const again = await post('/api/recheck_package', { package_name: 'broken-tool' });
      expect(again.statusCode).toBe(409);
      const unknown = await post('/api/recheck_package', { package_name: 'no-such-package' });
      expect([unknown.statusCode, unknown.json()]).toEqual([
        400,
        {
          message:
            'Error while rechecking no-such-package. There are no existing commits or the commit to be rechecked is already marked as RETRY.',
        },
      ]);
      const success = await post('/api/recheck_package', { package_name: 'demo-data' });
      expect([success.statusCode, success.json()]).toEqual([
        409,
        { message: "Error while rechecking demo-data. It's not possible to recheck a successful commit" },
      ]);
      expect((await post('/api/recheck_package', {})).json()).toEqual({
        message: "Errors detected: 1 {'package_name': 'field required'}",
      });
      expect((await post('/api/recheck_package', { package_name: null })).json()).toEqual({
        message: "Errors detected: 1 {'package_name': 'none is not an allowed value'}",
      });
    });

    it('refuses to promote a purged repo (410)', async () => {
      // Purge never removes builds whose RPMs `consistent` links, and here `consistent` holds every
      // first-pass success: without it (a site that removed it), the replaced successes go.
      rmSync(join(repos(), 'consistent'));
      const purge = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '-y']);
      expect(purge.code).toBe(0);
      const head = await events.headPosition();
      expect(await live.caughtUp(10_000, head)).toBe(true);
      const [purged] = await views.find(buildsProjection, {
        where: { purged: 1, status: 'SUCCESS' },
        limit: 1,
      });
      expect(purged).toBeDefined();
      const answer = await post('/api/promote', {
        commit_hash: purged!.doc.commitHash,
        distro_hash: purged!.doc.distroHash,
        promote_name: 'too-late',
      });
      expect([answer.statusCode, answer.json()]).toEqual([
        410,
        { message: 'commit_hash+distro_hash+extended_hash has been purged, cannot promote it' },
      ]);
    });
  });

  describe('bad requests', () => {
    it('answers JSON errors for invalid JSON, huge bodies and unknown routes', async () => {
      const invalid = await post('/api/report_result', '{"job_id": ');
      expect(invalid.statusCode).toBe(400);
      expect(typeof invalid.json().message).toBe('string');
      const huge = await post('/api/report_result', JSON.stringify({ notes: 'x'.repeat(1_100_000) }));
      expect(huge.statusCode).toBe(413);
      expect(typeof huge.json().message).toBe('string');
      const unknown = await get('/api/nothing-here');
      expect([unknown.statusCode, unknown.json()]).toEqual([404, { message: 'Not Found: GET /api/nothing-here' }]);
      expect((await get('/api/health')).statusCode).toBe(200);
    });

    it('slows down password guessing: 429 after 10 failures, per client and user', async () => {
      let last = 0;
      for (let i = 0; i < 11; i++) {
        last = (await app.inject({ method: 'POST', url: '/api/health', headers: basic('guess', `pw${i}`) })).statusCode;
      }
      expect(last).toBe(429);
      const limited = await app.inject({ method: 'POST', url: '/api/health', headers: basic('guess', 'pw') });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await app.inject({ method: 'POST', url: '/api/health', headers: CI })).statusCode).toBe(200);
    });
  });

  describe('with protect_read_endpoints', () => {
    it('requires credentials on reads, but not on /metrics and the API description', async () => {
      const protectedApp = await createApiApp(
        { ...config, service: { ...config.service, protectReadEndpoints: true } },
        { logLevel: 'silent' },
      );
      await protectedApp.init();
      await protectedApp.getHttpAdapter().getInstance().ready();
      try {
        const anonymous = await protectedApp.inject({ method: 'GET', url: '/api/last_tested_repo?max_age=0' });
        expect([anonymous.statusCode, anonymous.body]).toEqual([401, 'Unauthorized Access']);
        const user = await protectedApp.inject({ method: 'GET', url: '/api/last_tested_repo?max_age=0', headers: CI });
        expect(user.statusCode).toBe(200);
        expect((await protectedApp.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
        expect((await protectedApp.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
      } finally {
        await protectedApp.close();
      }
    });
  });
});
