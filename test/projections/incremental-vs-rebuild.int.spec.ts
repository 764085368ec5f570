import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import {
  openPostgresReadModelStore,
  openSqliteReadModelStore,
} from '#infrastructure/read-model/kysely-read-model.store.js';
import { crashingStore, dumpReadModels, laggingStore } from '../support/projection-dump.js';
import { playHistory, stepArbitrary } from '../support/random-history.js';

const PG_URL = process.env['DLRN_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

interface Backend {
  readonly name: string;
  readonly runs: number;
  open(label: string): Promise<ReadModelStore>;
  cleanup(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'dlrn-prop-'));
const schemas: string[] = [];
const backends: Backend[] = [
  {
    name: 'SQLite, every batch committed on the writer thread',
    runs: 30,
    open: async (label) =>
      openSqliteReadModelStore(join(dir, `${label}-${Math.random().toString(36).slice(2)}.sqlite`), {
        writerThreadAbove: 0,
      }),
    cleanup: async () => {},
  },
  {
    name: 'SQLite, live batches committed in place',
    runs: 15,
    open: async (label) =>
      openSqliteReadModelStore(join(dir, `${label}-${Math.random().toString(36).slice(2)}.sqlite`)),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  },
  {
    name: 'PostgreSQL',
    runs: 12,
    open: async () => {
      const schema = `prop_${Math.random().toString(36).slice(2, 10)}`;
      schemas.push(schema);
      return openPostgresReadModelStore(PG_URL, { schema });
    },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  },
];

/** Catches up with the log, surviving crashes: each crash restarts a fresh engine from the checkpoints. */
async function projectWithCrashes(
  events: SqliteEventStore,
  store: ReadModelStore,
  batchSize: number,
  crashAt: number | null,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Commits lag behind folding, as on a busy writer thread; the first attempt may crash.
    const lagging = laggingStore(store);
    const target = attempt === 0 && crashAt !== null ? crashingStore(lagging, crashAt) : lagging;
    const engine = new ProjectionEngine(events, target, ALL_PROJECTIONS, { batchSize, owner: `test-${attempt}` });
    await engine.start();
    try {
      await engine.run({ untilCaughtUp: true });
      return;
    } catch (error) {
      expect((error as Error).message).toContain('simulated crash');
    } finally {
      await engine.stop();
    }
  }
  throw new Error('did not converge');
}

describe.each(backends)('projections on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('incremental projection in random batches, with a crash in the middle, equals a clean rebuild', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArbitrary, { minLength: 5, maxLength: 80 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
        async (steps, batchSize, crashAt) => {
          const events = new SqliteEventStore(':memory:');
          const incremental = await backend.open('inc');
          const rebuilt = await backend.open('full');
          try {
            // history arrives in two parts, projected live in between
            const cut = Math.floor(steps.length / 2);
            await playHistory(events, steps.slice(0, cut));
            await projectWithCrashes(events, incremental, batchSize, crashAt);
            await playHistory(events, steps.slice(cut));
            await projectWithCrashes(events, incremental, batchSize, null);
            await projectWithCrashes(events, rebuilt, 10_000, null);
            expect(await dumpReadModels(incremental, ALL_PROJECTIONS)).toEqual(
              await dumpReadModels(rebuilt, ALL_PROJECTIONS),
            );
          } finally {
            await incremental.close();
            await rebuilt.close();
            await events.close();
          }
        },
      ),
      { numRuns: backend.runs },
    );
  }, 300_000);

  it('replaying the whole log over existing read models changes nothing', async () => {
    const events = new SqliteEventStore(':memory:');
    const store = await backend.open('replay');
    try {
      const steps = fc.sample(fc.array(stepArbitrary, { minLength: 60, maxLength: 60 }), { numRuns: 1, seed: 42 })[0]!;
      await playHistory(events, steps);
      await projectWithCrashes(events, store, 50, null);
      const before = await dumpReadModels(store, ALL_PROJECTIONS);
      // force a second delivery of every event: checkpoints back to zero, documents kept
      for (const p of ALL_PROJECTIONS) {
        const at = await store.checkpoint(p.name, p.version);
        await store.transaction((tx) => tx.advanceCheckpoint(p.name, p.version, at, 0).catch(() => undefined));
      }
      await projectWithCrashes(events, store, 7, null);
      expect(await dumpReadModels(store, ALL_PROJECTIONS)).toEqual(before);
    } finally {
      await store.close();
      await events.close();
    }
  }, 120_000);
});
