import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import type { AggregateRepoPublished } from '#domain/repo/repo.events.js';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { createUser, runDlrn } from '../support/cli.js';
import { git } from '../support/git-fixtures.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

/** Which component each demo package belongs to: broken-tool is alone in `tools`. */
const COMPONENT: Readonly<Record<string, string>> = {
  'python-greeting': 'common',
  'demo-data': 'common',
  'broken-tool': 'tools',
};

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const AUTH = { authorization: `Basic ${Buffer.from('ci:secret').toString('base64')}` };

/**
 * `use_components` end to end with real git repositories, rpmbuild and the dlrn CLI: per
 * component `current`/`consistent` links, the top-level aggregate directories and their hash as
 * DLRN's `aggregate_repo_files` computes it (expected values written here from DLRN's `.repo`
 * format and algorithm), then the API's aggregate paths on those builds.
 */
describe('components and aggregate hashes', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-components-'));
  const repos = join(root, 'data', 'repos');
  let packages: DemoPackage[];
  let configFile: string;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const dlrn = (...args: string[]) =>
    runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), ...args]);

  /** A package's build as the test knows it from git: its hashed dir and DLRN's `.repo` text. */
  const built = async (name: string, revision = 'HEAD') => {
    const pkg = packages.find((p) => p.name === name)!;
    const commit = (await git(pkg.upstream, ['rev-parse', revision])).trim();
    const distro = (await git(pkg.distgit, ['rev-parse', 'HEAD'])).trim();
    const component = COMPONENT[name]!;
    const dir = `component/${component}/${commit.slice(0, 2)}/${commit.slice(2, 4)}/${commit}_${distro.slice(0, 8)}`;
    const repoText =
      `[delorean-component-${component}]\nname=delorean-${name}-${commit}\n` +
      `baseurl=file://${repos}/${dir}\nenabled=1\ngpgcheck=0\npriority=1\n`;
    return { commit, distro, dir, repoText };
  };
  /** DLRN: MD5 over each component's `.repo` text plus one `\n`, components sorted. */
  const aggregateOf = (...repoTexts: string[]) => md5(repoTexts.map((t) => `${t}\n`).join(''));

  const aggregateEvents = async (name: string) => {
    const store = new SqliteEventStore(join(root, 'data', 'events.sqlite'));
    try {
      return (await store.readStream(`aggregate-${name}`)).map((e) => (e as unknown as AggregateRepoPublished).data);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    packages = await createDemoRepositories(root, start);
    configFile = await writeDemoConfig(root, packages, 'use_components=true\n');
    const yml = join(root, 'rdoinfo', 'rdo.yml');
    let text = readFileSync(yml, 'utf8');
    for (const [name, component] of Object.entries(COMPONENT)) {
      text = text.replace(`  name: ${name}\n`, `  name: ${name}\n  component: ${component}\n`);
    }
    writeFileSync(yml, text);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('when both components build', () => {
    let data: Awaited<ReturnType<typeof built>>;
    let tool: Awaited<ReturnType<typeof built>>;
    beforeAll(async () => {
      const run = await dlrn();
      expect(run.code, run.stdout + run.stderr).toBe(0);
      data = await built('demo-data');
      tool = await built('broken-tool');
    }, 120_000);

    it('links each component’s current and consistent to its last build', () => {
      for (const name of ['current', 'consistent']) {
        expect(readlinkSync(join(repos, 'component', 'common', name))).toBe(data.dir.replace('component/common/', ''));
        expect(readlinkSync(join(repos, 'component', 'tools', name))).toBe(tool.dir.replace('component/tools/', ''));
      }
    });

    it('makes current and consistent directories holding the aggregate, with DLRN’s hash', () => {
      const expected = aggregateOf(data.repoText, tool.repoText);
      for (const name of ['current', 'consistent']) {
        expect(lstatSync(join(repos, name)).isDirectory()).toBe(true);
        expect(readFileSync(join(repos, name, 'delorean.repo.md5'), 'utf8')).toBe(expected);
        expect(readFileSync(join(repos, name, 'delorean.repo'), 'utf8')).toBe(`${data.repoText}\n${tool.repoText}\n`);
        expect(readlinkSync(join(repos, name, 'delorean.repo'))).toBe(
          `${expected.slice(0, 2)}/${expected.slice(2, 4)}/${expected}/delorean.repo`,
        );
        const csv = readFileSync(join(repos, name, 'versions.csv'), 'utf8')
          .trim()
          .split('\n');
        expect(csv[0]).toBe(
          'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR',
        );
        expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['python-greeting', 'demo-data', 'broken-tool']);
      }
    });
  });

  describe('when a commit breaks the tools component and common moves on', () => {
    let greetingRepo: string;
    let data: Awaited<ReturnType<typeof built>>;
    let tool: Awaited<ReturnType<typeof built>>;
    let toolLinkBefore: string;
    beforeAll(async () => {
      tool = await built('broken-tool');
      toolLinkBefore = readlinkSync(join(repos, 'component', 'tools', 'consistent'));
      await addDemoCommits(packages, start);
      const run = await dlrn();
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/broken-tool [0-9a-f]{7} FAILED/);
      data = await built('demo-data');
      greetingRepo = (await built('python-greeting')).repoText;
    }, 120_000);

    it('moves the common component’s consistent and leaves the tools component’s links', () => {
      expect(readlinkSync(join(repos, 'component', 'common', 'consistent'))).toBe(
        data.dir.replace('component/common/', ''),
      );
      expect(readlinkSync(join(repos, 'component', 'tools', 'consistent'))).toBe(toolLinkBefore);
      expect(readlinkSync(join(repos, 'component', 'tools', 'current'))).toBe(toolLinkBefore);
    });

    it('changes the aggregate hash to DLRN’s for the new common repository with the old tools one', () => {
      const expected = aggregateOf(data.repoText, tool.repoText);
      expect(readFileSync(join(repos, 'current', 'delorean.repo.md5'), 'utf8')).toBe(expected);
      expect(readFileSync(join(repos, 'consistent', 'delorean.repo.md5'), 'utf8')).toBe(expected);
    });

    it('records one aggregate per change: each common success, never the failure', async () => {
      const events = await aggregateEvents('current');
      // Pass 1: greeting (common alone), data, tool; pass 2: greeting, data.
      expect(events.map((e) => e.components.map((c) => c.component).join('+'))).toEqual([
        'common',
        'common',
        'common+tools',
        'common+tools',
        'common+tools',
      ]);
      const greetingHash = aggregateOf(greetingRepo, tool.repoText);
      expect(events.slice(-2).map((e) => e.aggregateHash)).toEqual([
        greetingHash,
        aggregateOf(data.repoText, tool.repoText),
      ]);
    });
  });

  describe('over the API', () => {
    let live: LiveApi;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${live.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const get = async (path: string) => (await (await fetch(`${live.base}${path}`)).json()) as unknown;

    beforeAll(async () => {
      const made = await createUser(configFile, 'ci', 'secret');
      expect(made.code, made.stderr).toBe(0);
      const loadPackages = async () =>
        (await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') })).packages;
      live = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent', loadPackages });
    }, 60_000);
    afterAll(async () => live?.close());

    it('promotes a component commit with the aggregate hash of that name, as DLRN computes it', async () => {
      const data = await built('demo-data');
      const answer = await post('/api/promote', {
        commit_hash: data.commit,
        distro_hash: data.distro,
        promote_name: 'tripleo-ci-testing',
      });
      expect(answer.status).toBe(201);
      // Only common has a tripleo-ci-testing link yet.
      expect(answer.body.aggregate_hash).toBe(aggregateOf(data.repoText));
      expect(answer.body.component).toBe('common');
      expect(readlinkSync(join(repos, 'component', 'common', 'tripleo-ci-testing'))).toBe(
        data.dir.replace('component/common/', ''),
      );
      expect(readFileSync(join(repos, 'tripleo-ci-testing', 'delorean.repo.md5'), 'utf8')).toBe(
        answer.body.aggregate_hash,
      );
    });

    it('promote-batch gives the last item the aggregate of every component promoted so far', async () => {
      const data = await built('demo-data');
      // broken-tool's last good build is its first commit (HEAD broke it).
      const tool = await built('broken-tool', 'HEAD~1');
      expect(readlinkSync(join(repos, 'component', 'tools', 'current'))).toBe(tool.dir.replace('component/tools/', ''));
      const toolRepoText = tool.repoText;
      const answer = await post('/api/promote-batch', [
        { commit_hash: tool.commit, distro_hash: tool.distro, promote_name: 'tripleo-ci-testing' },
        { commit_hash: data.commit, distro_hash: data.distro, promote_name: 'tripleo-ci-testing' },
      ]);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      const expected = aggregateOf(data.repoText, toolRepoText);
      expect(answer.body.aggregate_hash).toBe(expected);
      const promotions = (await get('/api/promotions?promote_name=tripleo-ci-testing')) as {
        aggregate_hash: string | null;
        component: string;
      }[];
      expect(promotions.map((p) => [p.component, p.aggregate_hash])).toEqual([
        ['common', expected],
        ['tools', null],
        ['common', aggregateOf(data.repoText)],
      ]);
      expect(readFileSync(join(repos, 'tripleo-ci-testing', 'delorean.repo.md5'), 'utf8')).toBe(expected);
    });

    it('refuses a batch with an unknown item whole: no link, no aggregate moves', async () => {
      const greeting = await built('python-greeting');
      const before = readFileSync(join(repos, 'tripleo-ci-testing', 'delorean.repo.md5'), 'utf8');
      const answer = await post('/api/promote-batch', [
        { commit_hash: greeting.commit, distro_hash: greeting.distro, promote_name: 'tripleo-ci-testing' },
        { commit_hash: 'f'.repeat(40), distro_hash: greeting.distro, promote_name: 'tripleo-ci-testing' },
      ]);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/^commit_hash\+distro_hash\+extended_hash combination not found for f{40}_/);
      expect(readFileSync(join(repos, 'tripleo-ci-testing', 'delorean.repo.md5'), 'utf8')).toBe(before);
      expect(((await get('/api/promotions?promote_name=tripleo-ci-testing')) as unknown[]).length).toBe(3);
    });

    it('takes votes on a promoted aggregate and on one consistent had, lists them, refuses unknown hashes', async () => {
      const promoted = readFileSync(join(repos, 'tripleo-ci-testing', 'delorean.repo.md5'), 'utf8');
      // An aggregate `consistent` had (first pass, common alone) that no promotion carries.
      const consistent = (await aggregateEvents('consistent'))[0]!.aggregateHash;
      expect(consistent).not.toBe(promoted);
      expect(((await get(`/api/promotions?aggregate_hash=${consistent}`)) as unknown[]).length).toBe(0);
      const vote = (aggregate_hash: string, success: boolean) =>
        post('/api/report_result', {
          aggregate_hash,
          job_id: 'integration',
          url: 'http://ci.example.org/1',
          timestamp: start + 10_000,
          success,
        });
      const first = await vote(promoted, true);
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.body).toMatchObject({ aggregate_hash: promoted, success: true, job_id: 'integration' });
      expect((await vote(consistent, false)).status).toBe(201);
      expect(await vote('0'.repeat(32), true)).toEqual({ status: 400, body: { message: 'aggregate_hash not found' } });
      const listed = (await get(`/api/agg_status?aggregate_hash=${promoted}`)) as Record<string, unknown>[];
      expect(listed.map((v) => [v.aggregate_hash, v.job_id, v.success])).toEqual([[promoted, 'integration', true]]);
      const failed = (await get(`/api/agg_status?aggregate_hash=${consistent}&success=false`)) as unknown[];
      expect(failed).toHaveLength(1);
    });
  });

  describe('when everything is older than the purge cutoff', () => {
    it('removes old aggregate directories and keeps each name’s own with the repositories it aggregates', async () => {
      const old = (await aggregateEvents('consistent'))[0]!.aggregateDir;
      const kept = ['current', 'consistent', 'tripleo-ci-testing'].map((name) =>
        readlinkSync(join(repos, name, 'delorean.repo')),
      );
      expect(lstatSync(join(repos, old)).isDirectory()).toBe(true);
      const run = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '-y']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`removing aggregate ${old}`);
      expect(() => lstatSync(join(repos, old))).toThrow();
      for (const [i, name] of ['current', 'consistent', 'tripleo-ci-testing'].entries()) {
        expect(readlinkSync(join(repos, name, 'delorean.repo'))).toBe(kept[i]);
        // Every repository the aggregate names is still there.
        for (const line of readFileSync(join(repos, name, 'delorean.repo'), 'utf8').split('\n')) {
          if (line.startsWith('baseurl='))
            expect(lstatSync(line.slice(`baseurl=file://`.length)).isDirectory()).toBe(true);
        }
      }
    }, 60_000);
  });
});
