#!/usr/bin/env node
// `npm run mutation [-- --all] [-- <area>…]`: Stryker, one area after another (all areas when none
// is named), each incremental (only mutants in changed code or covered by changed tests run again).
// `--all` is Stryker's `--force`: every mutant again. Other flags pass through to `stryker run`.
import { spawnSync } from 'node:child_process';
import { MUTATION_AREAS } from '../stryker.config.mjs';

const args = process.argv.slice(2);
const areas = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-')).map((a) => (a === '--all' ? '--force' : a));
for (const area of areas) {
  if (!(area in MUTATION_AREAS)) {
    console.error(`unknown area '${area}': one of ${Object.keys(MUTATION_AREAS).join(', ')}`);
    process.exit(2);
  }
}

let failed = 0;
for (const area of areas.length > 0 ? areas : Object.keys(MUTATION_AREAS)) {
  console.log(`== mutation: ${area}`);
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...flags], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_AREA: area },
  });
  console.log(
    `== mutation: ${area} ${run.status === 0 ? 'done' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s, report: reports/mutation/${area}/index.html`,
  );
  if (run.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
