import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoCommits, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { buildsProjection, type BuildDoc, type ReadModelStore } from '#domain/projections/index.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { createUser, runDlrn } from '../support/cli.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

const CI = {
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from('ci:secret').toString('base64')}`,
};

/** An answer as it went out: status, the bytes, and the as_of header. */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly asOf: string | undefined;
}

/**
 * Time travel (`as_of`) on real builds: a history made in steps (two build passes with rpmbuild,
 * CI votes, promotions), the API's answers recorded at each step with the position they
 * reflect, then asked again later as of each position (and as of the instant its event was
 * recorded): byte for byte the same.
 */
describe('as_of answers what the API answered at that moment', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-timetravel-'));
  let live: LiveApi;
  let app: NestFastifyApplication;
  let events: EventStore;
  let views: ReadModelStore;
  let pass: string[];
  let packages: Awaited<ReturnType<typeof createDemoRepositories>>;
  let start: number;
  const steps: { position: number; answers: Map<string, Answer> }[] = [];

  const get = async (url: string): Promise<Answer> => {
    const response = await app.inject({ method: 'GET', url });
    const asOf = response.headers['x-dlrn-as-of-position'];
    return { status: response.statusCode, body: response.body, asOf: asOf === undefined ? undefined : String(asOf) };
  };
  const post = async (url: string, body: unknown) => {
    const response = await app.inject({ method: 'POST', url, headers: CI, payload: JSON.stringify(body) });
    expect(response.statusCode, response.body).toBe(201);
  };
  const builds = async (): Promise<BuildDoc[]> =>
    (await views.find(buildsProjection, { orderBy: [{ column: 'id', direction: 'asc' }] })).map((b) => b.doc);
  const successOf = async (name: string): Promise<BuildDoc> =>
    (await builds()).filter((b) => b.package === name && b.status === 'SUCCESS').at(-1)!;

  /** What is recorded at each step: every endpoint that takes as_of. */
  const urls = (good: BuildDoc) => [
    '/api/packages',
    '/api/packages?status=FAILED',
    '/api/packages/broken-tool',
    '/api/packages/python-greeting',
    '/api/packages/python-greeting/builds?limit=50',
    '/api/builds?limit=50',
    '/api/last_tested_repo?max_age=0',
    '/api/last_tested_repo?max_age=0&job_id=tempest',
    '/api/last_tested_repo?max_age=0&success=false',
    `/api/repo_status?commit_hash=${good.commitHash}&distro_hash=${good.distroHash}`,
    '/api/promotions',
    '/api/promotions?promote_name=tripleo-ci-testing',
    '/api/repos/current',
    '/api/repos/consistent',
    '/api/repos/tripleo-ci-testing',
    '/api/status_report.csv',
    '/api/status_report.html',
    '/api/report.html',
  ];
  let good: BuildDoc;

  /** Waits for the views to pass the head, then records every answer with that position. */
  async function record(): Promise<void> {
    const position = await events.headPosition();
    expect(await live.caughtUp(20_000, position)).toBe(true);
    const answers = new Map<string, Answer>();
    for (const url of urls(good)) answers.set(url, await get(url));
    steps.push({ position, answers });
  }

  beforeAll(async () => {
    start = Math.floor(Date.now() / 1000) - 10 * 86_400;
    packages = await createDemoRepositories(root, start);
    const configFile = await writeDemoConfig(root, packages);
    pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    expect((await createUser(configFile, 'ci', 'secret')).code).toBe(0);
    live = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent' });
    ({ app, events, views } = live);

    // Step 1: the first pass builds every package.
    expect((await runDlrn(pass)).code).toBe(0);
    expect(await live.caughtUp(20_000)).toBe(true);
    good = await successOf('demo-data');
    await record();
    // Step 2: a CI votes on it.
    const hashes = { commit_hash: good.commitHash, distro_hash: good.distroHash };
    await post('/api/report_result', {
      ...hashes,
      job_id: 'tempest',
      url: 'u1',
      timestamp: start + 100,
      success: true,
    });
    await record();
    // Step 3: it is promoted.
    await post('/api/promote', { ...hashes, promote_name: 'tripleo-ci-testing' });
    await record();
    // Step 4: new commits; broken-tool breaks, current moves on, consistent stays.
    await addDemoCommits(packages, start);
    expect((await runDlrn(pass)).code).toBe(1);
    await record();
    // Step 5: a failed vote on a newer repo, and the promotion moves there.
    const newer = await successOf('python-greeting');
    const newerHashes = { commit_hash: newer.commitHash, distro_hash: newer.distroHash };
    await post('/api/report_result', {
      ...newerHashes,
      job_id: 'tempest',
      url: 'u2',
      timestamp: start + 200,
      success: false,
    });
    await post('/api/promote', { ...newerHashes, promote_name: 'tripleo-ci-testing' });
    await record();
  }, 240_000);

  afterAll(async () => {
    await live?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('made a history whose answers changed from step to step', () => {
    expect(steps).toHaveLength(5);
    const positions = steps.map((s) => s.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(positions).size).toBe(5);
    for (const url of ['/api/packages', '/api/last_tested_repo?max_age=0', '/api/promotions', '/api/repos/current']) {
      const distinct = new Set(steps.map((s) => s.answers.get(url)!.body));
      expect(distinct.size, url).toBeGreaterThan(1);
    }
    // before the promotion there was none; after, there is
    expect(steps[1]!.answers.get('/api/repos/tripleo-ci-testing')!.status).toBe(404);
    expect(steps[2]!.answers.get('/api/repos/tripleo-ci-testing')!.status).toBe(200);
  });

  it('answers each recorded step again, as of its position, byte for byte (pages with a banner)', async () => {
    for (const { position, answers } of steps) {
      for (const [url, then] of answers) {
        const again = await get(`${url}${url.includes('?') ? '&' : '?'}as_of=${position}`);
        expect(again.asOf, url).toBe(String(position));
        expect(again.status, `${url} as of ${position}`).toBe(then.status);
        const banner = `History as of`;
        if (url.endsWith('.html')) {
          expect(again.body).toContain(banner);
          expect(again.body).toContain(`(position ${position})`);
          expect(stripBanner(again.body), `${url} as of ${position}`).toBe(then.body);
        } else {
          expect(again.body, `${url} as of ${position}`).toBe(then.body);
        }
      }
    }
  });

  it('answers the same as of the instant the event at that position was recorded', async () => {
    for (const { position, answers } of steps) {
      const [event] = await events.readAll({ after: position - 1, maxCount: 1 });
      const instant = encodeURIComponent(event!.recordedAt);
      for (const url of ['/api/packages', '/api/last_tested_repo?max_age=0', '/api/repos/tripleo-ci-testing']) {
        const again = await get(`${url}${url.includes('?') ? '&' : '?'}as_of=${instant}`);
        expect(again.asOf, url).toBe(String(position));
        expect([again.status, again.body]).toEqual([answers.get(url)!.status, answers.get(url)!.body]);
      }
    }
  });

  it('answers nothing before the first event, and keeps now apart from then', async () => {
    const before = await get(`/api/packages?as_of=${new Date((start - 86_400) * 1000).toISOString()}`);
    expect([before.status, before.asOf, JSON.parse(before.body)]).toEqual([200, '0', { packages: [] }]);
    const noVote = await get('/api/last_tested_repo?max_age=0&as_of=2000-01-01');
    expect([noVote.status, JSON.parse(noVote.body)]).toEqual([400, { message: 'No vote found' }]);
    // the answer of now carries no header and is still today's
    const now = await get('/api/packages');
    expect(now.asOf).toBeUndefined();
    expect(now.body).toBe(steps.at(-1)!.answers.get('/api/packages')!.body);
    const first = await get(`/api/packages?as_of=${steps[0]!.position}`);
    expect(first.body).toBe(steps[0]!.answers.get('/api/packages')!.body);
    expect((await get('/api/packages')).body).toBe(now.body);
  });

  it('pages the timeline as of the same moment', async () => {
    const { position } = steps[3]!;
    const page = await app.inject({ method: 'GET', url: `/api/builds?limit=2&as_of=${position}` });
    const next = JSON.parse(page.body).next as string;
    expect(next).toMatch(new RegExp(`[?&]as_of=${position}$`));
    expect(page.headers['link']).toBe(`<${next}>; rel="next"`);
    const rest = JSON.parse((await get(`${next.replace(/^https?:\/\/[^/]+/, '')}`)).body).builds as unknown[];
    const all = JSON.parse(steps[3]!.answers.get('/api/builds?limit=50')!.body).builds as unknown[];
    expect([...JSON.parse(page.body).builds, ...rest]).toEqual(all.slice(0, 2 + rest.length));
  });

  it('refuses a malformed as_of, and one beyond the log, naming it', async () => {
    for (const bad of ['0', 'abc', '2026-13-01', '1.5', '2026-12-05T10:00:00']) {
      const answer = await get(`/api/packages?as_of=${encodeURIComponent(bad)}`);
      expect(answer.status, bad).toBe(400);
      expect(JSON.parse(answer.body).message, bad).toMatch(/as_of/);
    }
    const ahead = await get(`/api/promotions?as_of=${steps.at(-1)!.position + 1000}`);
    expect(ahead.status).toBe(409);
    expect(JSON.parse(ahead.body).message).toMatch(/as_of position \d+ is beyond the last event of the log/);
    expect((await get('/api/status_report.html?as_of=nope')).status).toBe(400);
  });
});

/** The page without the as_of banner (`withAsOfBanner` puts it after `<main>` with a newline). */
function stripBanner(page: string): string {
  return page.replace(/\n {4}<p class="as-of" role="status">.*?<\/p>/, '');
}
