import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { createUser, runDlrn, type CliRun } from '../support/cli.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

async function eventsOf(dir: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(dir, 'data', 'events.sqlite'));
  try {
    return await store.readAll({ maxCount: 100_000 });
  } finally {
    await store.close();
  }
}

const ofType = (events: readonly RecordedEvent[], type: string) => events.filter((e) => e.type === type);

/**
 * Issue 15, item 3: a builder on another host (its own datadir, its own log) publishes locally,
 * serves its repos/, and after each pass asks the central service to import each new build
 * (`[service] publish_to`), which downloads and verifies it from the worker before recording it.
 */
describe('a worker with publish_to feeds the central service', () => {
  let root: string;
  let packages: DemoPackage[];
  let central: LiveApi;
  let worker: LiveApi;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const workerDir = () => join(root, 'worker');
  const centralDir = () => join(root, 'central');
  let workerIni: string;
  let firstPass: CliRun;

  const configure = (password: string) => {
    const ini = readFileSync(workerIni, 'utf8')
      .replace(/^baseurl=.*$/m, `baseurl=${worker.base}/repos`)
      .replace(/\n\[service\][\s\S]*$/, '');
    writeFileSync(
      workerIni,
      `${ini}\n[service]\npublish_to=${central.base}\npublish_username=worker\npublish_password=${password}\n`,
    );
  };
  const pass = () => runDlrn(['--config-file', workerIni, '--info-repo', join(workerDir(), 'rdoinfo')]);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-publish-'));
    mkdirSync(workerDir());
    mkdirSync(centralDir());
    packages = await createDemoRepositories(root, start);
    workerIni = await writeDemoConfig(workerDir(), packages);
    const centralIni = await writeDemoConfig(centralDir(), packages);
    // The worker is on 127.0.0.1: the central service fetches from it only when listed.
    writeFileSync(
      centralIni,
      `${readFileSync(centralIni, 'utf8')}\n[service]\nremote_import_allowed_hosts=127.0.0.1\n`,
    );
    expect((await createUser(centralIni, 'worker', 'secret-pw', 'import')).code).toBe(0);
    const centralConfig = await loadConfiguration({ configFile: centralIni, infoRepo: join(centralDir(), 'rdoinfo') });
    central = await startLiveApi(centralConfig.config, { loadPackages: async () => centralConfig.packages });
    // The worker serves its repos/ (dlrn api does, as dlrn serve); baseurl names that URL.
    const workerConfig = await loadConfiguration({ configFile: workerIni, infoRepo: join(workerDir(), 'rdoinfo') });
    worker = await startLiveApi(workerConfig.config, {});
    configure('secret-pw');
    firstPass = await pass();
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await central?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('builds on the worker, then the central service imports each build', async () => {
    expect(firstPass.code).toBe(0);
    expect(firstPass.stdout.match(/^publish: \S+ [0-9a-f]{7} imported by http:\/\/127\.0\.0\.1:\d+$/gm)).toHaveLength(
      3,
    );
    const published = ofType(await eventsOf(workerDir()), 'BuildPublished');
    expect(published.map((e) => (e.data as { package: string }).package).sort()).toEqual([
      'broken-tool',
      'demo-data',
      'python-greeting',
    ]);
    expect(new Set(published.map((e) => e.streamId))).toEqual(new Set([`publish-${central.base}`]));
    // Recorded centrally as builds of the same commits, with the RPMs in the central tree.
    const imported = ofType(await eventsOf(centralDir()), 'BuildSucceeded');
    expect(imported).toHaveLength(3);
    for (const event of published) {
      const { repoUrl } = event.data as { repoUrl: string };
      const dir = join(centralDir(), 'data', 'repos', repoUrl.slice(`${worker.base}/repos/`.length));
      expect(readdirSync(dir).filter((f) => f.endsWith('.rpm')).length).toBeGreaterThan(0);
      expect(readFileSync(join(dir, 'commit.yaml'), 'utf8')).toContain('status: SUCCESS');
    }
  });

  describe('when the central service refuses the worker (a wrong password)', () => {
    let refusedPass: CliRun;
    let afterFix: CliRun;
    beforeAll(async () => {
      await addDemoCommits(packages, start);
      configure('wrong-pw');
      refusedPass = await pass();
      configure('secret-pw');
      afterFix = await pass();
    }, 180_000);

    it('records the refusal, keeps the order, and offers nothing past the refused build', async () => {
      expect(refusedPass.code).toBe(1); // broken-tool's new commit fails, as in the demo
      expect(refusedPass.stdout).toMatch(
        /^publish: http:\S+ refused \S+ [0-9a-f]{7} \(401 .*\): offered again next pass$/m,
      );
      const failed = ofType(await eventsOf(workerDir()), 'BuildPublishFailed');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.data).toMatchObject({ status: 401, attempt: 1, gaveUp: false });
    });

    it('publishes the waiting builds on the next pass, though it builds nothing', async () => {
      expect(afterFix.stdout).toContain('nothing to build');
      expect(afterFix.stdout.match(/^publish: .* imported by /gm)).toHaveLength(2);
      const events = await eventsOf(workerDir());
      expect(ofType(events, 'BuildPublished')).toHaveLength(5);
      // The failed build is not offered: only successes are.
      expect(ofType(await eventsOf(centralDir()), 'BuildSucceeded')).toHaveLength(5);
      expect(ofType(await eventsOf(centralDir()), 'BuildFailed')).toHaveLength(0);
    });
  });
});
