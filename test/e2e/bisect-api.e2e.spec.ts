import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { createUser, runDlrn } from '../support/cli.js';
import { git } from '../support/git-fixtures.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

const basic = (user: string): string => `Basic ${Buffer.from(`${user}:pw-${user}`).toString('base64')}`;

/**
 * The bisection's HTTP face over a real history: broken-tool builds at its first commit, then
 * three upstream commits land (the first breaks it) and a `--head-only` pass builds only the
 * newest. `GET /api/bisect` answers from the history alone; `POST /api/bisect` starts one.
 */
describe('GET and POST /api/bisect over a real history', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-bisect-api-'));
  let tool: DemoPackage;
  let good: string;
  let between: string[];
  let head: string;
  let live: LiveApi;
  let base: string;

  const get = async (query: string) => {
    const response = await fetch(`${base}/api/bisect?${query}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const post = async (who: string | null, body: object) => {
    const response = await fetch(`${base}/api/bisect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(who ? { authorization: basic(who) } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // DLRN's 401 is plain text.
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: parsed as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createDemoRepositories(root, start);
    tool = packages.find((p) => p.name === 'broken-tool')!;
    const configFile = await writeDemoConfig(root, packages);
    // The bisection is started by hand here: the service must not start one on its own.
    appendFileSync(configFile, '\n[service]\nauto_bisect=false\n');
    const pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    expect((await runDlrn(pass)).code).toBe(0);
    good = (await git(tool.upstream, ['rev-parse', 'HEAD'])).trim();
    await git(tool.upstream, ['rm', '-q', 'BUILD_OK']);
    await git(tool.upstream, ['commit', '-q', '-m', 'Drop BUILD_OK (breaks the package)']);
    await git(tool.upstream, ['commit', '-q', '--allow-empty', '-m', 'Second change']);
    await git(tool.upstream, ['commit', '-q', '--allow-empty', '-m', 'Third change']);
    const log = (await git(tool.upstream, ['rev-list', '--reverse', `${good}..HEAD`])).trim().split('\n');
    between = log.slice(0, -1);
    head = log.at(-1)!;
    expect((await runDlrn([...pass, '--head-only', '--package-name', 'broken-tool'])).code).toBe(1);
    for (const [name, roles] of [
      ['boss', 'admin'],
      ['voter', 'vote'],
    ] as const) {
      const made = await createUser(configFile, name, `pw-${name}`, roles);
      expect(made.code, made.stderr).toBe(0);
    }
    const loadPackages = async () =>
      (await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') })).packages;
    live = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent', loadPackages });
    base = live.base;
  }, 180_000);

  afterAll(async () => {
    await live?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the commits between with how each was built, the known ends and the commits never built', async () => {
    const { status, body } = await get(`package=broken-tool&good=${good.slice(0, 10)}&bad=${head}`);
    expect(status).toBe(200);
    const commits = body['commits'] as {
      commit_hash: string;
      subject: string;
      author: string;
      verdict: string;
      builds: { purpose: string; status: string }[];
    }[];
    expect(body['good'] as { commit_hash: string; verdict: string }).toMatchObject({
      commit_hash: good,
      verdict: 'good',
    });
    expect(commits.map((c) => c.commit_hash)).toEqual([...between, head]);
    expect(commits.map((c) => c.subject)).toEqual([
      'Drop BUILD_OK (breaks the package)',
      'Second change',
      'Third change',
    ]);
    expect(commits.map((c) => c.verdict)).toEqual(['unbuilt', 'unbuilt', 'bad']);
    expect(commits[2]!.builds).toMatchObject([{ purpose: 'commit', status: 'FAILED' }]);
    expect(commits[0]!.author).toMatch(/<.+@.+>$/);
    expect(body).toMatchObject({ last_known_good: good, first_known_bad: head, unbuilt_between: 2, bisection: null });
    // One dist-git commit built both ends: no dist-git change in between.
    expect(body['distgit']).toMatchObject({ commits: [] });
  });

  it('answers 400 naming a bad parameter and 404 for an unknown package or commit', async () => {
    expect(await get(`package=broken-tool&good=${good}`)).toEqual({
      status: 400,
      body: { message: "Errors detected: 1 {'bad': 'field required'}" },
    });
    expect((await get(`package=broken-tool&good=xyz&bad=${head}`)).body['message']).toMatch(/^Invalid good "xyz"/);
    expect((await get(`package=no-such&good=${good}&bad=${head}`)).status).toBe(404);
    expect(await get(`package=broken-tool&good=${'0'.repeat(40)}&bad=${head}`)).toMatchObject({ status: 404 });
    const backwards = await get(`package=broken-tool&good=${head}&bad=${good}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body['message']).toMatch(/not on the first-parent line/);
  });

  it('starts a bisection for an admin only, answering 202 with where to follow it', async () => {
    const request = { package: 'broken-tool', good, bad: head };
    expect(await post(null, request)).toMatchObject({ status: 401, body: 'Unauthorized Access' });
    expect((await post('voter', request)).status).toBe(403);
    const started = await post('boss', request);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      started: true,
      package: 'broken-tool',
      good,
      bad: head,
      candidates: 3,
      outcome: 'running',
    });
    expect(started.location).toBe(`/api/bisect?package=broken-tool&good=${good}&bad=${head}`);
    const again = await post('boss', request);
    expect(again).toMatchObject({ status: 202, body: { started: false, bisection_id: started.body['bisection_id'] } });

    const followed = await get(started.location!.slice('/api/bisect?'.length));
    expect(followed.body['bisection']).toMatchObject({
      state: 'running',
      good_commit_hash: good,
      bad_commit_hash: head,
    });
    const pkg = (await (await fetch(`${base}/api/packages/broken-tool`)).json()) as { bisection: { state: string } };
    expect(pkg.bisection).toMatchObject({ state: 'running' });
  });

  it('refuses a body that is not JSON, and a bad commit, before anything is recorded', async () => {
    const form = await fetch(`${base}/api/bisect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('boss') },
      body: `package=broken-tool&good=${good}&bad=${head}`,
    });
    expect(form.status).toBe(415);
    const bad = await post('boss', { package: 'broken-tool', good: 'not-a-hash', bad: head });
    expect(bad.status).toBe(400);
    expect((await post('boss', { package: 'nope', good, bad: head })).status).toBe(404);
  });
});
