import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PROJECTIONS, type ProjectionLock } from '#domain/projections/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { openReadModelStore, type KyselyReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { createLogger } from '#infrastructure/logging/logger.js';
import { commitData, testEvent } from '../../../test/support/events.js';
import { waitForCheckpoints } from '../../../test/support/projector-wait.js';
import { runProjector } from './projector.daemon.js';

/**
 * `dlrn projector` started while another process holds some projections (a pass's once-projector
 * refreshing its reports): it runs the others at once, and takes the held ones as soon as they
 * are free, rather than leave them to nobody until it restarts.
 */
describe('a projector daemon that finds a projection held by another process', () => {
  let dir: string;
  let views: KyselyReadModelStore;
  let held: ProjectionLock | null;
  const stop = new AbortController();
  let running: Promise<number>;
  const output: string[] = [];
  const heldName = 'package_status';
  const others = ALL_PROJECTIONS.filter((p) => p.name !== heldName);
  const heldProjection = ALL_PROJECTIONS.find((p) => p.name === heldName)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-projector-held-'));
    const configFile = join(dir, 'projects.ini');
    writeFileSync(configFile, '[DEFAULT]\ndatadir=./data\nbaseurl=http://x/\ntarget=t\n');
    const events = new SqliteEventStore(join(dir, 'data', 'events.sqlite'));
    await events.append('build-foo@a_b', [
      testEvent('CommitDiscovered', commitData({ package: 'foo', commitHash: 'a', distroHash: 'b' })),
    ]);
    await events.close();
    views = await openReadModelStore({ kind: 'sqlite', path: join(dir, 'data', 'views.sqlite') });
    held = await views.tryLock(heldName, 'another-process (otherhost:1)');
    expect(held).not.toBeNull();
    const logger = createLogger({ service: 'dlrn-projector', sink: { write: (t: string) => output.push(t) } });
    running = runProjector({ configFile }, logger, stop.signal);
  });

  afterAll(async () => {
    stop.abort();
    await running;
    await held?.release();
    await views?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('projects the others and says which one another projector runs', async () => {
    expect(await waitForCheckpoints(views, others, 1, 20_000)).toBe(true);
    expect(output.join('')).toContain(`projector: ${heldName} run by another projector`);
    expect(await views.activeVersion(heldName)).toBeNull();
  });

  it('takes the held projection once it is released, and projects it', async () => {
    await held!.release();
    held = null;
    expect(await waitForCheckpoints(views, [heldProjection], 1, 30_000)).toBe(true);
    expect(await waitForCheckpoints(views, others, 1, 1_000)).toBe(true);
  }, 40_000);
});

/**
 * A pass's once-projector (after each `dlrn builder` pass) that finds its projections held by
 * another pass's once-projector, which then stops before folding this pass's appends: it takes
 * them over at once rather than wait its whole bound for a projector that is gone.
 */
describe("a pass's projector whose projections' holder stops short of its appends", () => {
  let dir: string;
  let views: KyselyReadModelStore;
  const heldName = 'package_status';
  const heldProjection = ALL_PROJECTIONS.find((p) => p.name === heldName)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-projector-once-'));
    writeFileSync(join(dir, 'projects.ini'), '[DEFAULT]\ndatadir=./data\nbaseurl=http://x/\ntarget=t\n');
    const events = new SqliteEventStore(join(dir, 'data', 'events.sqlite'));
    await events.append('build-foo@a_b', [
      testEvent('CommitDiscovered', commitData({ package: 'foo', commitHash: 'a', distroHash: 'b' })),
    ]);
    await events.close();
    views = await openReadModelStore({ kind: 'sqlite', path: join(dir, 'data', 'views.sqlite') });
  });

  afterAll(async () => {
    await views?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds them itself once they are free, long before its wait bound', async () => {
    const held = await views.tryLock(heldName, 'another-pass (thishost:2)');
    expect(held).not.toBeNull();
    const output: string[] = [];
    const logger = createLogger({ service: 'dlrn', sink: { write: (t: string) => output.push(t) } });
    const started = Date.now();
    const pass = runProjector({ configFile: join(dir, 'projects.ini'), once: true, waitForOthersMs: 60_000 }, logger);
    while (!output.join('').includes(`${heldName} run by another projector`)) {
      expect(Date.now() - started).toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The holder stops without having folded position 1.
    await held!.release();
    expect(await pass).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await waitForCheckpoints(views, [heldProjection], 1, 1_000)).toBe(true);
    expect(output.join('')).not.toContain('still behind');
  }, 40_000);
});
