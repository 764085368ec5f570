import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoCommits, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { createDlrnClient, type DlrnClient } from '../../libs/client/src/dlrn-client.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { parseVersionsCsv } from '#application/queries/resource-queries.js';
import { runDlrn } from '../support/cli.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);

/** A repository's versions.csv on disk, by project: what the publisher wrote, not what the log says. */
function versionsOnDisk(reposDir: string, repoDir: string): Map<string, Record<string, string>> {
  const rows = parseVersionsCsv(readFileSync(join(reposDir, repoDir, 'versions.csv'), 'utf8'));
  return new Map(rows.map((row) => [row['Project']!, row]));
}

/**
 * The repo diff over real builds: two passes of the demo (the second breaks broken-tool and
 * moves the other two), then `consistent` (the first pass) against `current` (the second), as
 * JSON through the generated client and as a page in Chromium, checked against the
 * versions.csv files the publisher wrote.
 */
describe('repo diff between two real repositories', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-diff-'));
  const reposDir = join(root, 'data', 'repos');
  let live: LiveApi;
  let client: DlrnClient;
  let base: string;
  /** The log's head once the first pass was over: where `current` was what `consistent` is now. */
  let firstPassEnd: number;

  beforeAll(async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createDemoRepositories(root, start);
    const configFile = await writeDemoConfig(root, packages);
    const pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    expect((await runDlrn(pass)).code).toBe(0);
    const config = loadProjectsIni(configFile);
    const afterFirst = await openEventStore(config.service.eventStoreTarget);
    firstPassEnd = await afterFirst.headPosition();
    await afterFirst.close();
    await addDemoCommits(packages, start);
    expect((await runDlrn(pass)).code).toBe(1);
    live = await startLiveApi(config, { logLevel: 'silent' });
    base = live.base;
    client = createDlrnClient(base);
  }, 180_000);

  afterAll(async () => {
    await live?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists what moved from consistent to current exactly as their versions.csv files differ', async () => {
    const { data, response } = await client.GET('/api/diff', {
      params: { query: { from: 'consistent', to: 'current' } },
    });
    expect(response.status).toBe(200);
    const diff = data!;
    expect(diff.from!.repo_hash).not.toBe(diff.to!.repo_hash);
    expect([diff.from!.source, diff.to!.source]).toEqual(['log', 'log']);

    const before = versionsOnDisk(reposDir, diff.from!.repo_dir!);
    const after = versionsOnDisk(reposDir, diff.to!.repo_dir!);
    const moved = [...after.keys()].filter((name) => {
      const then = before.get(name);
      return (
        then !== undefined &&
        (['Source Sha', 'Dist Sha', 'Status', 'Pkg NVR'] as const).some(
          (column) => then[column] !== after.get(name)![column],
        )
      );
    });
    expect(moved.length).toBeGreaterThan(0);
    expect(diff.changed!.map((c) => c.name).sort()).toEqual(moved.sort());
    for (const change of diff.changed!) {
      const then = before.get(change.name!)!;
      const now = after.get(change.name!)!;
      expect([change.from!.commit_hash, change.to!.commit_hash]).toEqual([then['Source Sha'], now['Source Sha']]);
      expect([change.from!.nvr ?? '', change.to!.nvr ?? '']).toEqual([then['Pkg NVR'], now['Pkg NVR']]);
      expect(change.upstream_changed).toBe(then['Source Sha'] !== now['Source Sha']);
      if (change.upstream_changed) {
        // The demo's upstreams are local repositories: no forge to link commits or compare on.
        expect(change.upstream_url).toMatch(/^file:\/\/.*\/git\/upstream\//);
        expect(change.commit_range).toEqual({
          from_commit: then['Source Sha'],
          to_commit: now['Source Sha'],
          from_url: null,
          to_url: null,
          compare_url: null,
        });
      }
    }
    expect(diff.added).toEqual(
      [...after.keys()].filter((n) => !before.has(n)).map((name) => expect.objectContaining({ name })),
    );
    expect(diff.removed).toEqual([]);
    expect(diff.unchanged).toBe(after.size - moved.length - diff.added!.length);
  });

  it('names a repository by its hash as well as by a pointer, and finds nothing between a repo and itself', async () => {
    const named = (await client.GET('/api/diff', { params: { query: { from: 'consistent', to: 'current' } } })).data!;
    const byHash = await client.GET('/api/diff', {
      params: { query: { from: named.from!.repo_hash!, to: named.to!.repo_hash! } },
    });
    expect(byHash.data!.changed).toEqual(named.changed);
    const same = (await client.GET('/api/diff', { params: { query: { from: 'current', to: named.to!.repo_hash! } } }))
      .data!;
    expect([same.added, same.removed, same.changed, same.unchanged]).toEqual([[], [], [], named.to!.packages]);
  });

  it('reads a pointer where it pointed then (as_of): current after the first pass is consistent now', async () => {
    const named = (await client.GET('/api/diff', { params: { query: { from: 'consistent', to: 'current' } } })).data!;
    const then = await client.GET('/api/diff', {
      params: { query: { from: 'current', from_as_of: String(firstPassEnd), to: 'current' } },
    });
    expect(then.response.status).toBe(200);
    expect(then.data!.from).toMatchObject({
      ref: 'current',
      as_of: String(firstPassEnd),
      repo_hash: named.from!.repo_hash,
    });
    expect(then.data!.changed).toEqual(named.changed);
  });

  it('answers 400 naming a bad or missing parameter, and 404 naming an unknown repository', async () => {
    const ask = async (query: string) => {
      const response = await fetch(`${base}/api/diff?${query}`);
      return [response.status, ((await response.json()) as { message: string }).message] as const;
    };
    expect(await ask('to=current')).toEqual([400, "Errors detected: 1 {'from': 'field required'}"]);
    const [status, message] = await ask('from=..&to=current');
    expect(status).toBe(400);
    expect(message).toMatch(/^Invalid from "\.\.": expected a repo hash/);
    expect(await ask('from=current&to=current&to_as_of=yesterday')).toEqual([
      400,
      "Invalid to_as_of: as_of must be a log position (an integer >= 1) or an ISO-8601 instant such as 2026-12-05T10:00:00Z; got 'yesterday'",
    ]);
    expect((await ask('from=current&to=current&from_as_of=999999999'))[0]).toBe(409);
    expect(await ask('from=no-such-promotion&to=current')).toEqual([
      404,
      'No such repository no-such-promotion (from)',
    ]);
    expect(await ask('from=current&to=deadbeef_cafebabe')).toEqual([404, 'No such repository deadbeef_cafebabe (to)']);
  });

  describe.skipIf(!HAS_CHROMIUM)(
    `the page in Chromium${HAS_CHROMIUM ? '' : ' (skipped: /usr/bin/chromium is missing)'}`,
    () => {
      let context: BrowserContext;
      let page: Page;
      let profile: string;

      beforeAll(async () => {
        profile = mkdtempSync(join(tmpdir(), 'dlrn-chromium-'));
        context = await chromium.launchPersistentContext(profile, {
          executablePath: CHROMIUM,
          headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
        });
        page = context.pages()[0] ?? (await context.newPage());
      }, 60_000);

      afterAll(async () => {
        await context?.close();
        rmSync(profile, { recursive: true, force: true });
      });

      it('shows the changed packages with both NVRs, and swaps its sides through a link', async () => {
        const json = (await client.GET('/api/diff', { params: { query: { from: 'consistent', to: 'current' } } }))
          .data!;
        const requests: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        await page.goto(`${base}/api/diff.html?from=consistent&to=current`);
        const rows = page.locator('table.diff-changed tbody tr');
        expect(await rows.count()).toBe(json.changed!.length);
        for (const change of json.changed!) {
          const cells = page.locator(`tr[data-package="${change.name}"] td`);
          expect(await cells.nth(1).innerText()).toBe(change.from!.nvr ?? '');
          expect(await cells.nth(2).innerText()).toBe(change.to!.nvr ?? '');
        }
        expect(await page.locator('.subtitle').innerText()).toBe(
          `${json.changed!.length} changed, ${json.added!.length} added, 0 removed, ${json.unchanged} unchanged`,
        );
        await page.locator('a', { hasText: 'Swap sides' }).click();
        await page.waitForURL(/diff\.html\?from=current&to=consistent$/);
        expect(await page.locator('table.diff-changed tbody tr').count()).toBe(json.changed!.length);
        expect(requests.every((url) => url.startsWith(base))).toBe(true);
      });

      it('is linked from the page of the build that made a repository (compared with current)', async () => {
        const json = (await client.GET('/api/diff', { params: { query: { from: 'consistent', to: 'current' } } }))
          .data!;
        await page.goto(`${base}/api/build/${json.from!.build_id}.html`);
        await page.locator('a', { hasText: 'compare with current' }).click();
        await page.waitForURL(new RegExp(`/api/diff\\.html\\?from=${json.from!.repo_hash}&to=current$`));
        expect(await page.locator('table.diff-changed tbody tr').count()).toBe(json.changed!.length);
      });
    },
  );
});
