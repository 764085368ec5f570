/**
 * Builds per minute with 1, 2 and 3 `dlrn builder --once` processes on ONE datadir (one
 * projects.ini, one SQLite event store, default builder_id): the demo's three noarch packages,
 * each with N new commits after a first pass. `--sleep S` makes each build wait S seconds in
 * `%build` (DLRN_DEMO_BUILD_SECONDS: a build that waits on something other than this CPU);
 * 0 measures CPU-bound builds, which on this 2-core machine cannot scale far. Checks that every
 * commit was built exactly once and prints the figures; no target is asserted.
 *   node --conditions=source --import @swc-node/register/esm-register bench/builders.bench.ts [--commits 6] [--sleep 1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { commitDemoChange, createDemoRepositories, writeDemoConfig } from '../apps/cli/src/demo/demo-example.js';

const { values } = parseArgs({
  options: { commits: { type: 'string', default: '6' }, sleep: { type: 'string', default: '1' } },
});
const COMMITS = Number(values.commits);
const SLEEP = values.sleep!;

function dlrn(args: string[], seconds: string): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts', ...args],
    { env: { ...process.env, DLRN_DEMO_BUILD_SECONDS: seconds }, stdio: 'ignore' },
  );
  return new Promise((done) => child.on('exit', done));
}

async function run(builders: number): Promise<{ seconds: number; builds: number; doubles: number }> {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-builders-bench-'));
  try {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createDemoRepositories(root, start);
    const configFile = await writeDemoConfig(root, packages);
    const args = ['builder', '--once', '--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    await dlrn(args, '0');
    for (let k = 1; k <= COMMITS; k++)
      for (const [i, pkg] of packages.entries())
        await commitDemoChange(pkg.upstream, `change ${k}`, start + 600 * k + i, () =>
          writeFile(join(pkg.upstream, `change-${k}.txt`), `${k}\n`),
        );
    const t0 = performance.now();
    const codes = await Promise.all(Array.from({ length: builders }, () => dlrn(args, SLEEP)));
    const seconds = (performance.now() - t0) / 1000;
    if (codes.some((c) => c !== 0)) throw new Error(`a builder exited ${codes.join(', ')}`);
    const store = new SqliteEventStore(join(root, 'data', 'events.sqlite'));
    const events = await store.readAll({ maxCount: 100_000 });
    await store.close();
    const succeeded = events.filter((e) => e.type === 'BuildSucceeded');
    const streams = new Set(succeeded.map((e) => e.streamId));
    return { seconds, builds: streams.size - 3, doubles: succeeded.length - streams.size };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

console.log(`${3 * COMMITS} new commits (3 packages × ${COMMITS}), each build sleeping ${SLEEP} s in %build`);
let base = 0;
for (const n of [1, 2, 3]) {
  const r = await run(n);
  const perMinute = (r.builds / r.seconds) * 60;
  if (n === 1) base = perMinute;
  console.log(
    `${n} builder(s): ${r.builds} builds in ${r.seconds.toFixed(1)} s = ${perMinute.toFixed(1)} builds/min (${(perMinute / base).toFixed(2)}× one builder), double builds: ${r.doubles}`,
  );
}
