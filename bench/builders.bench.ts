/**
 * Builds per minute with 1, 2 and 3 `dlrn builder --once` processes on ONE datadir (one
 * projects.ini, one SQLite event store, default builder_id): three tiny noarch packages
 * (bench/scale-site.ts), each with N new commits after a first pass. `--sleep S` makes each build
 * wait S seconds in `%build` (DLRN_DEMO_BUILD_SECONDS: a build that waits on something other than
 * this CPU); 0 measures CPU-bound builds, which on this 2-core machine cannot scale far. Checks
 * that every commit was built exactly once and prints the figures; no target is asserted.
 * `npm run bench:scale` measures 1, 2 and 4 builders on more packages, SQLite and PostgreSQL.
 *   node --conditions=source --import @swc-node/register/esm-register bench/builders.bench.ts [--commits 6] [--sleep 1]
 */
import { parseArgs } from 'node:util';
import { measureBuilders } from './scale-site.js';

const { values } = parseArgs({
  options: { commits: { type: 'string', default: '6' }, sleep: { type: 'string', default: '1' } },
});
const COMMITS = Number(values.commits);
const SLEEP = values.sleep!;

console.log(`${3 * COMMITS} new commits (3 packages × ${COMMITS}), each build sleeping ${SLEEP} s in %build`);
let base = 0;
for (const n of [1, 2, 3]) {
  const r = await measureBuilders({ builders: n, packages: 3, commits: COMMITS, sleep: SLEEP, store: 'sqlite' });
  await r.dispose();
  const perMinute = (r.builds / r.seconds) * 60;
  if (n === 1) base = perMinute;
  console.log(
    `${n} builder(s): ${r.builds} builds in ${r.seconds.toFixed(1)} s = ${perMinute.toFixed(1)} builds/min (${(perMinute / base).toFixed(2)}× one builder), double builds: ${r.doubles}`,
  );
}
