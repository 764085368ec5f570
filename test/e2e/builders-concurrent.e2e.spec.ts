import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { runDlrn } from '../support/cli.js';
import { logMessages } from '../support/log-records.js';

describe('two builders sharing one event store', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-two-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('never build the same commit twice: the claims decide', async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    // One datadir for both: a repository links the other packages' RPMs, so builders that share
    // an event log must share the repos too (builders elsewhere feed it by remote import).
    const base = readFileSync(await writeDemoConfig(root, packages), 'utf8').replace(
      'datadir=./data',
      `datadir=${join(root, 'data')}`,
    );
    const store = join(root, 'shared-events.sqlite');
    const configs = ['a', 'b'].map((name) => {
      const dir = join(root, `builder-${name}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'projects.ini');
      writeFileSync(file, base);
      appendFileSync(file, `\n[service]\nevent_store=sqlite:///${store}\nbuilder_id=builder-${name}\n`);
      mkdirSync(join(dir, 'rdoinfo'), { recursive: true });
      copyFileSync(join(root, 'rdoinfo', 'rdo.yml'), join(dir, 'rdoinfo', 'rdo.yml'));
      return { file, info: join(dir, 'rdoinfo') };
    });
    const runs = await Promise.all(
      configs.map((c) =>
        runDlrn(['builder', '--once', '--config-file', c.file, '--info-repo', c.info], {
          env: { DLRN_DEMO_BUILD_SECONDS: '1' },
        }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);

    const reader = new SqliteEventStore(store);
    try {
      const events = await reader.readAll({ maxCount: 10_000 });
      const succeeded = events.filter((e) => e.type === 'BuildSucceeded');
      expect(succeeded).toHaveLength(3);
      expect(new Set(succeeded.map((e) => e.streamId)).size).toBe(3);
      const claims = events.filter((e) => e.type === 'BuildClaimed');
      expect(claims).toHaveLength(3);
      // the loser of a race was told, not silently duplicated
      const output = runs.map((r) => logMessages(r.stderr)).join('\n');
      // progress lines only: the loser's "already built (SUCCESS)" note mentions SUCCESS too
      expect(output.match(/^\[\d+\/\d+\] \S+ [0-9a-f]{7} SUCCESS/gm)).toHaveLength(3);
    } finally {
      await reader.close();
    }
  }, 120_000);
});
