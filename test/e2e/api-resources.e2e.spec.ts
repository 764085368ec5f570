import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { createDlrnClient, type DlrnClient } from '../../libs/client/src/dlrn-client.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { runDlrn } from '../support/cli.js';
import { git } from '../support/git-fixtures.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

/**
 * The projections as JSON resources, over HTTP after real builds, through the typed client
 * generated from the OpenAPI document (so the document cannot drift from the server).
 */
describe('JSON resources over real builds, through the generated client', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-resources-'));
  let packages: DemoPackage[];
  let pass: string[];
  let live: LiveApi;
  let client: DlrnClient;
  let base: string;

  const caughtUp = async () => expect(await live.caughtUp()).toBe(true);

  beforeAll(async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    packages = await createDemoRepositories(root, start);
    const configFile = await writeDemoConfig(root, packages);
    pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    expect((await runDlrn(pass)).code).toBe(0);
    await addDemoCommits(packages, start);
    expect((await runDlrn(pass)).code).toBe(1);
    live = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent' });
    base = live.base;
    client = createDlrnClient(base);
  }, 180_000);

  afterAll(async () => {
    await live?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('summarises every package with DLRN\'s "first failure after success"', async () => {
    const { data, response } = await client.GET('/api/packages');
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(data!.packages!.map((p) => [p.name!, p]));
    expect(Object.keys(byName).sort()).toEqual(['broken-tool', 'demo-data', 'python-greeting']);
    const broken = byName['broken-tool']!;
    expect(broken.status).toBe('FAILED');
    expect(broken.last_success?.status).toBe('SUCCESS');
    expect(broken.first_failure_after_success?.build_id).toBe(broken.last_build?.build_id);
    expect(broken.days_since_last_success).toBe(0);
    expect(broken.failures_since_success).toBe(1);
    expect(byName['demo-data']).toMatchObject({ status: 'SUCCESS', first_failure_after_success: null });
    const failing = await client.GET('/api/packages', { params: { query: { status: 'FAILED' } } });
    expect(failing.data!.packages!.map((p) => p.name)).toEqual(['broken-tool']);
    expect((await client.GET('/api/packages', { params: { query: { name: 'py' } } })).data!.packages).toHaveLength(1);
    const bad = await client.GET('/api/packages', { params: { query: { status: 'BROKEN' as 'FAILED' } } });
    expect(bad.response.status).toBe(400);
  });

  it('pages the timeline by cursor without skipping or repeating while new builds land', async () => {
    const everything = (await client.GET('/api/builds', { params: { query: { limit: 500 } } })).data!.builds!;
    expect(everything.length).toBe(6);
    const first = await client.GET('/api/builds', { params: { query: { limit: 2 } } });
    expect(first.data!.builds!.map((b) => b.build_id)).toEqual(everything.slice(0, 2).map((b) => b.build_id));
    expect(first.response.headers.get('link')).toBe(`<${first.data!.next}>; rel="next"`);

    // New builds land between page requests: broken-tool breaks once more, the others move on.
    const tool = packages.find((p) => p.name === 'broken-tool')!;
    await git(tool.upstream, ['commit', '-q', '--allow-empty', '-m', 'Still broken']);
    expect((await runDlrn(pass)).code).toBe(1);
    await caughtUp();

    const seen = [...first.data!.builds!];
    for (let next = first.data!.next; next;) {
      const page = (await (await fetch(`${base}${next}`)).json()) as {
        builds: { build_id: string }[];
        next: string | null;
      };
      seen.push(...(page.builds as (typeof seen)[number][]));
      next = page.next;
    }
    expect(seen.map((b) => b.build_id)).toEqual(everything.map((b) => b.build_id));
    const newest = (await client.GET('/api/builds', { params: { query: { limit: 1 } } })).data!.builds![0]!;
    expect(newest.package).toBe('broken-tool');
    expect(everything.some((b) => b.build_id === newest.build_id)).toBe(false);
  }, 120_000);

  it('keeps the oldest failure after the last success as the first failure, and lists it for triage', async () => {
    const broken = (await client.GET('/api/packages/{name}', { params: { path: { name: 'broken-tool' } } })).data!;
    expect(broken.failures_since_success).toBe(2);
    const failures = (
      await client.GET('/api/packages/{name}/builds', {
        params: { path: { name: 'broken-tool' }, query: { status: 'FAILED' } },
      })
    ).data!.builds!;
    expect(failures).toHaveLength(2);
    expect(broken.first_failure_after_success?.build_id).toBe(failures[1]!.build_id);
    expect(broken.last_build?.build_id).toBe(failures[0]!.build_id);
    const triage = (await client.GET('/api/failures')).data!.failures!;
    expect(triage.map((p) => p.name)).toEqual(['broken-tool']);
    expect((await client.GET('/api/packages/{name}', { params: { path: { name: 'nope' } } })).response.status).toBe(
      404,
    );
  });

  it('shows one build with links, its events, and its repository with versions.csv, votes and promotions', async () => {
    const [latest] = (await client.GET('/api/builds', { params: { query: { status: 'SUCCESS', limit: 1 } } })).data!
      .builds!;
    const build = (await client.GET('/api/builds/{id}', { params: { path: { id: latest!.build_id! } } })).data!;
    expect(build).toMatchObject({ build_id: latest!.build_id, status: 'SUCCESS', purged: false });
    const history = (await client.GET('/api/builds/{id}/events', { params: { path: { id: build.build_id! } } })).data!;
    expect(history.events!.map((e) => e.type)).toEqual(
      expect.arrayContaining(['CommitDiscovered', 'BuildClaimed', 'BuildStarted', 'BuildSucceeded', 'RepoPublished']),
    );
    const current = (await client.GET('/api/repos/{ref}', { params: { path: { ref: 'current' } } })).data!;
    expect(current.pointers).toContain('current');
    expect(current.contents!.map((row) => row.Project).sort()).toEqual(['broken-tool', 'demo-data', 'python-greeting']);
    const byHash = (await client.GET('/api/repos/{ref}', { params: { path: { ref: current.repo_hash! } } })).data!;
    expect(byHash.repo_dir).toBe(current.repo_dir);
    const consistent = (await client.GET('/api/repos/{ref}', { params: { path: { ref: 'consistent' } } })).data!;
    expect(consistent.votes).toContainEqual(expect.objectContaining({ job_id: 'consistent', success: true }));
    expect((await client.GET('/api/repos/{ref}', { params: { path: { ref: 'nowhere' } } })).response.status).toBe(404);
    expect((await client.GET('/api/builds/{id}', { params: { path: { id: 'nope' } } })).response.status).toBe(404);
  });

  it('lists the queue, and serves status badges as SVG or JSON', async () => {
    expect((await client.GET('/api/queue')).data!.queue).toEqual([]);
    const svg = await fetch(`${base}/api/status/badge/broken-tool.svg`);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/<svg[^>]*aria-label="broken-tool: FAILED"/);
    const json = await fetch(`${base}/api/status/badge/demo-data.svg`, { headers: { accept: 'application/json' } });
    expect(await json.json()).toEqual({ package: 'demo-data', status: 'SUCCESS' });
  });

  it('answers 304 to conditional GETs of every resource', async () => {
    for (const path of [
      '/api/packages',
      '/api/builds?limit=100',
      '/api/failures',
      '/api/queue',
      '/api/repos/current',
    ]) {
      const first = await fetch(`${base}${path}`);
      const etag = first.headers.get('etag');
      expect(etag, path).toBeTruthy();
      const again = await fetch(`${base}${path}`, { headers: { 'if-none-match': etag! } });
      expect(again.status, path).toBe(304);
    }
  });
});
