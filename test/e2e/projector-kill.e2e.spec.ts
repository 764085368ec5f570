import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';
import { dumpReadModels } from '../support/projection-dump.js';
import { writeSyntheticLog } from '../support/synthetic-log.js';

/**
 * SIGKILL the projector at random moments of a 100k-event catch-up, restart it each time, then
 * compare its read models with a clean rebuild of the same log: identical.
 */
describe('a projector killed during a 100k-event catch-up', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-projkill-'));
  const config = (views: string) => {
    const file = join(root, `${views}.ini`);
    writeFileSync(
      file,
      `[DEFAULT]\nbaseurl=http://localhost/repos\ntarget=centos9\nsource=master\ndistro=rpm-master\nbuild_driver=rpmbuild\n[service]\nevent_store=sqlite:///${join(root, 'events.sqlite')}\nread_model_store=sqlite:///${join(root, `${views}.sqlite`)}\n`,
    );
    return file;
  };
  let events = 0;
  let kills = 0;

  beforeAll(async () => {
    events = writeSyntheticLog(join(root, 'events.sqlite'), { builds: 18_000 });
    const killed = config('killed');
    for (const after of [1500 + Math.random() * 1000, 2500 + Math.random() * 1500, 3500 + Math.random() * 1500]) {
      const child = spawn(process.execPath, dlrnArgs(['projector', '--once', '--config-file', killed]), {
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const outcome = await Promise.race([exited, sleep(after).then(() => 'timeout' as const)]);
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        kills += 1;
      }
    }
    const finish = await runDlrn(['projector', '--once', '--config-file', killed]);
    expect(finish.code, finish.stderr).toBe(0);
    const rebuild = await runDlrn(['projections', 'rebuild', '--config-file', config('clean')]);
    expect(rebuild.code, rebuild.stderr).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('had a log of at least 100k events and was really killed', () => {
    expect(events).toBeGreaterThanOrEqual(100_000);
    expect(kills).toBeGreaterThanOrEqual(1);
  });

  it('ends with read models identical to a clean rebuild', async () => {
    const killed = await openSqliteReadModelStore(join(root, 'killed.sqlite'));
    const clean = await openSqliteReadModelStore(join(root, 'clean.sqlite'));
    try {
      const a = await dumpReadModels(killed, ALL_PROJECTIONS);
      const b = await dumpReadModels(clean, ALL_PROJECTIONS);
      expect(Object.values(a).reduce((n, docs) => n + docs.length, 0)).toBeGreaterThan(10_000);
      expect(a).toEqual(b);
      for (const p of ALL_PROJECTIONS)
        expect(await killed.checkpoint(p.name, p.version)).toBe(await clean.checkpoint(p.name, p.version));
    } finally {
      await killed.close();
      await clean.close();
    }
  }, 120_000);
});
