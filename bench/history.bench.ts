/**
 * `GET /api/events`'s page reads (the HistoryQuery handler over the SQLite log) on a synthetic
 * log, each next to the unfiltered page read (the ratio is what to watch): filters near the
 * start and deep in the log, the worst case (a filter nothing matches, scanned from position 0,
 * linear in the log's length), and a build's stream read through its index. Prints medians;
 * asserts nothing.
 *   node --conditions=source --import @swc-node/register/esm-register bench/history.bench.ts [--builds 155000]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReadModelStore } from '#domain/projections/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { HistoryHandler, HistoryQuery, type HistoryPageRequest } from '#application/queries/history/history.query.js';
import { writeSyntheticLog } from '../test/support/synthetic-log.js';

const { values } = parseArgs({ options: { builds: { type: 'string', default: '155000' } } });
const dir = mkdtempSync(join(tmpdir(), 'dlrn-history-bench-'));
try {
  const file = join(dir, 'events.sqlite');
  const started = performance.now();
  const written = writeSyntheticLog(file, { builds: Number(values.builds), packages: 500 });
  console.log(
    `log: ${written} events over 500 packages (written in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  const store = new SqliteEventStore(file);
  // No build filter below: the views are not read.
  const history = new HistoryHandler(store, undefined as unknown as ReadModelStore);
  const head = await store.headPosition();
  const deep = head - 5000;

  const median = async (request: Partial<HistoryPageRequest>): Promise<{ ms: number; events: number }> => {
    const times: number[] = [];
    let events = 0;
    for (let i = 0; i < 9; i++) {
      const at = performance.now();
      const page = await history.execute(
        new HistoryQuery({ after: 0, limit: 100, types: null, package: null, buildId: null, ...request }),
      );
      times.push(performance.now() - at);
      events = page!.events.length;
    }
    return { ms: times.sort((a, b) => a - b)[4]!, events };
  };
  const row = async (label: string, request: Partial<HistoryPageRequest>, baseline: Partial<HistoryPageRequest>) => {
    const measured = await median(request);
    const base = await median(baseline);
    console.log(
      `${label.padEnd(52)} ${String(measured.events).padStart(4)} events  ${measured.ms.toFixed(2).padStart(8)} ms` +
        `   unfiltered ${base.ms.toFixed(2).padStart(6)} ms   ×${(measured.ms / base.ms).toFixed(1)}`,
    );
  };
  console.log('median of 9, limit 100:');
  await row('no filter, after=0', {}, {});
  await row('no filter, deep (head − 5000)', { after: deep }, { after: deep });
  await row('package (1 of 500), after=0', { package: 'package-7' }, {});
  await row('package, deep (head − 5000)', { package: 'package-7', after: deep }, { after: deep });
  await row('type=BuildFailed, after=0', { types: ['BuildFailed'] }, {});
  await row('type=BuildFailed, deep (head − 5000)', { types: ['BuildFailed'], after: deep }, { after: deep });
  await row('type nothing matches, after=0 (whole log scanned)', { types: ['UserCreated'] }, {});
  await row('type nothing matches, deep (head − 5000)', { types: ['UserCreated'], after: deep }, { after: deep });
  const stream = (await store.readAll({ after: Math.floor(head / 2), maxCount: 1 }))[0]!.streamId;
  const at = performance.now();
  for (let i = 0; i < 100; i++) await store.readStream(stream);
  console.log(
    `build=<id>: its stream through the stream index            ${((performance.now() - at) / 100).toFixed(3)} ms`,
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
