import { CqrsModule } from '@nestjs/cqrs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoCommits, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { DlrnExceptionFilter } from '../../apps/api/src/http/dlrn-exception.filter.js';
import { PagesModule } from '../../apps/api/src/pages/pages.module.js';
import { ViewsModule } from '../../apps/api/src/views/views.module.js';
import { aggregateVoteStreamId, voteStreamId } from '#domain/ci-vote/ci-vote.events.js';
import { loadProjectsIni, type DlrnConfig } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';
import { ReadModelModule } from '#infrastructure/nest/read-model.module.js';
import { STATIC_REPORT_FILES } from '#application/reports/index.js';
import { testEvent } from '../support/events.js';
import { runDlrn } from '../support/cli.js';
import { logProblems } from '../support/log-records.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the layout checks read of the page's DOM (the tests compile without the DOM library). */
interface BrowserElement {
  readonly textContent: string | null;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getBoundingClientRect(): { readonly left: number; readonly right: number };
}
interface BrowserDocument {
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
}
const HAS_CHROMIUM = existsSync(CHROMIUM);
const CSV_HEADER = 'Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages';

/** The pages alone, over the configured stores (createApiApp adds the same global filter). */
@Module({})
class PagesTestModule {
  static forRoot(config: DlrnConfig): DynamicModule {
    return {
      module: PagesTestModule,
      imports: [
        CoreModule.forRoot(config),
        ReadModelModule.forRoot(config),
        ViewsModule.forRoot(),
        CqrsModule.forRoot(),
        PagesModule,
      ],
    };
  }
}

describe('the dashboard pages over real builds, and their static copies', () => {
  let root: string;
  let configFile: string;
  let config: DlrnConfig;
  let app: NestFastifyApplication;
  let base: string;
  let projector: Awaited<ReturnType<typeof runDlrn>>;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const repos = () => join(root, 'data', 'repos');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-pages-'));
    const packages = await createDemoRepositories(root, start);
    configFile = await writeDemoConfig(root, packages);
    const dlrn = (...args: string[]) =>
      runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), ...args]);
    expect((await dlrn()).code).toBe(0);
    await addDemoCommits(packages, start);
    expect((await dlrn()).code).toBe(1); // broken-tool fails
    config = loadProjectsIni(configFile);

    // CI votes as the API would record them (that API is not part of this test).
    const events = await openEventStore(config.service.eventStoreTarget);
    const built = (await events.readAll({ maxCount: 100_000 })).find(
      (e) => e.type === 'CommitDiscovered' && (e.data as { package: string }).package === 'demo-data',
    )!.data as { commitHash: string; distroHash: string };
    const vote = {
      commitHash: built.commitHash,
      distroHash: built.distroHash,
      extendedHash: null,
      component: null,
      url: 'https://ci.example.org/job/42',
      timestamp: start + 7200,
      user: 'ci',
    };
    await events.append(voteStreamId(built.commitHash, built.distroHash, null), [
      testEvent('CiVoteReported', { ...vote, jobId: 'tempest', success: true, notes: 'all green' }),
      testEvent('CiVoteReported', {
        ...vote,
        jobId: 'packstack',
        success: false,
        notes: '<script>window.injected = true</script>',
      }),
    ]);
    await events.append(aggregateVoteStreamId('f00dfeed'), [
      testEvent('AggregateVoteReported', {
        aggregateHash: 'f00dfeed',
        jobId: 'phase1',
        url: 'https://ci.example.org/job/43',
        notes: '',
        timestamp: start + 7300,
        user: 'ci',
        success: true,
        inProgress: false,
      }),
    ]);
    await events.close();

    projector = await runDlrn(['projector', '--config-file', configFile, '--once']);

    app = await NestFactory.create<NestFastifyApplication>(PagesTestModule.forRoot(config), new FastifyAdapter(), {
      logger: ['error', 'warn'],
    });
    app.useGlobalFilters(new DlrnExceptionFilter(pino({ level: 'silent' })));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `${await app.getUrl()}/api/`.replace('[::1]', '127.0.0.1');
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when the projector has caught up (--once)', () => {
    it('wrote the static reports into <datadir>/repos', () => {
      expect(projector.code).toBe(0);
      expect(logProblems(projector.stderr)).toEqual([]);
      for (const file of STATIC_REPORT_FILES) expect(statSync(join(repos(), file)).size, file).toBeGreaterThan(0);
      const status = readFileSync(join(repos(), 'status_report.html'), 'utf8');
      expect(status).toMatch(/<tr class="failure" data-package="broken-tool">/);
      expect(status).toContain('href="styles.css"');
      const csv = readFileSync(join(repos(), 'status_report.csv'), 'utf8').split('\n');
      expect(csv[0]).toBe(CSV_HEADER);
      expect(csv.slice(1, 4).map((line) => line.split(',').slice(0, 1).concat(line.split(',')[5]!))).toEqual([
        ['broken-tool', 'FAILED'],
        ['demo-data', 'SUCCESS'],
        ['python-greeting', 'SUCCESS'],
      ]);
      const report = readFileSync(join(repos(), 'report.html'), 'utf8');
      expect(report.match(/<tr[ >]/g)).toHaveLength(1 + 6);
      expect(readdirSync(repos()).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });
  });

  describe('over HTTP', () => {
    it('serves the CSV and the pages with their content types', async () => {
      const csv = await fetch(`${base}status_report.csv`);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await csv.text()).toBe(readFileSync(join(repos(), 'status_report.csv'), 'utf8'));
      const queue = await fetch(`${base}queue.html`);
      expect(queue.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await queue.text()).toContain('Nothing to build.');
      expect((await fetch(`${base}static/styles.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    });

    it("answers DLRN's 400s", async () => {
      const detail = await fetch(`${base}civotes_detail.html?commit_hash=abc`);
      expect(detail.status).toBe(400);
      expect(await detail.json()).toEqual({
        message: 'Please specify either commit_hash+distro_hash, component or ci_name as parameters.',
      });
      const agg = await fetch(`${base}civotes_agg_detail.html`);
      expect(agg.status).toBe(400);
      expect(await agg.json()).toEqual({ message: 'Please specify either ref_hash or ci_name as parameters.' });
      const offset = await fetch(`${base}civotes.html?offset=-1`);
      expect(offset.status).toBe(400);
      expect(await offset.json()).toEqual({
        message: "Errors detected: 1 {'offset': 'ensure this value is greater than or equal to 0'}",
      });
      expect((await fetch(`${base}build/nope.html`)).status).toBe(404);
    });

    it('describes every page in the OpenAPI document', () => {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      expect(Object.keys(document.paths).sort()).toEqual([
        '/api/build/{file}',
        '/api/civotes.html',
        '/api/civotes_agg.html',
        '/api/civotes_agg_detail.html',
        '/api/civotes_detail.html',
        '/api/queue.html',
        '/api/report.html',
        '/api/static/sort.js',
        '/api/static/styles.css',
        '/api/status_report.csv',
        '/api/status_report.html',
      ]);
      expect(document.paths['/api/report.html']!.get!.tags).toEqual(['pages']);
    });
  });

  describe.skipIf(!HAS_CHROMIUM)(`in Chromium${HAS_CHROMIUM ? '' : ' (skipped: /usr/bin/chromium is missing)'}`, () => {
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    const dialogs: string[] = [];

    beforeAll(async () => {
      profile = mkdtempSync(join(tmpdir(), 'dlrn-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    });

    it('shows the failing package with class failure and its first failure link', async () => {
      await page.goto(`${base}status_report.html`);
      const row = page.locator('tr[data-package="broken-tool"]');
      expect(await row.getAttribute('class')).toBe('failure');
      const commit = row.locator('td').nth(4).locator('a').first();
      expect(await commit.getAttribute('href')).toMatch(/^file:\/\/.*broken-tool.*[0-9a-f]{40}$/);
      expect(await row.locator('td').nth(4).innerText()).toMatch(/^[0-9a-f]{40} \(build log\)$/);
      expect(await row.locator('td').nth(5).innerText()).toBe('0 days');
      expect(await page.locator('tr.failure').count()).toBe(1);
    });

    it('filters report.html by package through a filter link, then opens a build page with its log', async () => {
      await page.goto(`${base}report.html`);
      expect(await page.locator('tbody tr').count()).toBe(6);
      await page.locator('a.filter', { hasText: 'broken-tool' }).first().click();
      await page.waitForURL(/report\.html\?package=broken-tool$/);
      const packages = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
      expect(packages).toEqual(['broken-tool', 'broken-tool']);
      expect(await page.locator('.filters').innerText()).toContain('package: broken-tool');
      await page.locator('tr.failure a', { hasText: 'details' }).click();
      await page.waitForURL(/\/api\/build\/[^/]+\.html$/);
      expect(await page.locator('h1').innerText()).toBe('broken-tool — FAILED');
      expect(await page.locator('#rpmbuild-log').innerText()).toMatch(/BUILD_OK/);
    });

    it('sorts a table when a header is clicked', async () => {
      await page.goto(`${base}report.html`);
      await page.locator('th', { hasText: 'Project Name' }).click();
      const sorted = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
      expect(sorted).toEqual([...sorted].sort());
      expect(await page.locator('th', { hasText: 'Project Name' }).getAttribute('aria-sort')).toBe('ascending');
    });

    it('shows the CI votes grouped by repository, and their details with notes as text', async () => {
      await page.goto(`${base}civotes.html`);
      const row = page.locator('tbody tr');
      expect(await row.count()).toBe(1);
      expect(await row.getAttribute('class')).toBe('failure');
      await row.locator('td').first().locator('a').click();
      await page.waitForURL(/civotes_detail\.html\?commit_hash=/);
      expect(await page.locator('tbody tr').count()).toBe(2);
      expect(await page.locator('tbody').innerText()).toContain('<script>window.injected = true</script>');
      expect(await page.evaluate(() => (globalThis as { injected?: boolean }).injected)).toBeUndefined();
      expect(dialogs).toEqual([]);
    });

    it('shows the aggregate votes and their details', async () => {
      await page.goto(`${base}civotes_agg.html`);
      await page.locator('tbody tr td a', { hasText: 'f00dfeed' }).click();
      await page.waitForURL(/civotes_agg_detail\.html\?ref_hash=f00dfeed$/);
      expect(await page.locator('tbody tr td').first().innerText()).toBe('phase1');
    });

    it('fits a 1024 px window: no sideways scroll, Status in view, filter chips apart', async () => {
      await page.setViewportSize({ width: 1024, height: 768 });
      try {
        for (const file of ['report.html', 'status_report.html', 'queue.html']) {
          await page.goto(`${base}${file}`);
          const fit = await page.evaluate(() => {
            const { document } = globalThis as unknown as { document: BrowserDocument };
            const main = document.querySelector('main')!;
            const status = [...document.querySelectorAll('th')].find((th) =>
              /^(Status|State)$/.test(th.textContent!.trim()),
            );
            return {
              overflow: main.scrollWidth - main.clientWidth,
              statusRight: status ? status.getBoundingClientRect().right : 0,
            };
          });
          expect([file, fit.overflow]).toEqual([file, 0]);
          expect(fit.statusRight).toBeGreaterThan(0);
          expect(fit.statusRight).toBeLessThanOrEqual(1024);
        }
        await page.goto(`${base}civotes_detail.html?ci_name=phase1&success=false`);
        const gaps = await page.evaluate(() => {
          const { document } = globalThis as unknown as { document: BrowserDocument };
          const chips = [...document.querySelectorAll('.chip')].map((c) => c.getBoundingClientRect());
          return chips.slice(1).map((c, i) => c.left - chips[i]!.right);
        });
        expect(gaps.length).toBeGreaterThan(0);
        for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(4);
      } finally {
        await page.setViewportSize({ width: 1280, height: 720 });
      }
    });

    it('renders a page worth a screenshot, with nothing fetched from elsewhere', async () => {
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(`${base}status_report.html`);
      const shots = mkdtempSync(join(tmpdir(), 'dlrn-shots-'));
      try {
        const file = join(shots, 'status_report.png');
        await page.screenshot({ path: file, fullPage: true });
        const png = readFileSync(file);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.length).toBeGreaterThan(1000);
      } finally {
        rmSync(shots, { recursive: true, force: true });
      }
      expect(requests.every((url) => url.startsWith(base))).toBe(true);
      expect(await page.locator('.topnav a.active').innerText()).toBe('Package status');
    });
  });
});
