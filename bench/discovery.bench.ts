/**
 * Commit discovery on a 20,000-commit repository: the adapter's `refresh` + `listCommits(after)`
 * next to the least raw git can do for the same answer (`fetch` + `rev-list <known>..origin`),
 * run with execFile in the same process. Each round adds 25 commits upstream first. Prints
 * figures; asserts nothing.
 *   node --conditions=source --import @swc-node/register/esm-register bench/discovery.bench.ts [--commits 20000] [--rounds 9]
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { RefreshRequest } from '#domain/package/git.ports.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { addCommits, createUpstream, gitTestEnv, tempDir, type FixtureCommit } from '../test/support/git-fixtures.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { commits: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '9' } },
});
const COMMITS = Number(values.commits);
const ROUNDS = Number(values.rounds);
const NEW_PER_ROUND = 25;

const env = gitTestEnv();
const root = tempDir('dlrn-discovery-bench-');
const adapterDir = join(root, 'adapter', 'pkg');
const rawDir = join(root, 'raw');

async function rawGit(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

try {
  const [upstream, importMs] = await timed(() => createUpstream(join(root, 'upstream.git'), { commits: COMMITS }));
  console.log(`fast-import of ${COMMITS} commits: ${ms(importMs)}`);

  const repositories = new GitCliRepositories({ env });
  const request: RefreshRequest = {
    url: upstream.url,
    dir: adapterDir,
    branch: 'main',
    local: false,
    policy: { sourceBranch: 'main', fallbackToMaster: true, nonfallbackBranches: [] },
  };
  const [, adapterCloneMs] = await timed(() => repositories.refresh(request));
  const [, rawCloneMs] = await timed(() => rawGit(root, ['clone', '--quiet', '--', upstream.url, rawDir]));
  console.log(`first clone: adapter refresh ${ms(adapterCloneMs)}, raw git clone ${ms(rawCloneMs)}`);
  const [all, fullListMs] = await timed(() => repositories.listCommits(adapterDir));
  console.log(`listCommits over the whole history (${all.length} commits): ${ms(fullListMs)}`);

  let known: FixtureCommit | undefined = upstream.commits[upstream.commits.length - 1];
  const adapterTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (!known) throw new Error('no known commit');
    const base = known.committedAt;
    const added = await addCommits(
      upstream.dir,
      Array.from({ length: NEW_PER_ROUND }, (_, i) => ({ message: `round ${round} #${i}`, date: base + 60 * (i + 1) })),
    );
    const after = known.committedAt;
    const knownHash = known.hash;
    // Alternate who goes first so neither always gets the warmer page cache.
    const adapterRun = () =>
      timed(async () => (await repositories.refresh(request), repositories.listCommits(adapterDir, after)));
    const rawRun = () =>
      timed(async () => {
        await rawGit(rawDir, ['fetch', '--quiet', '--prune', 'origin']);
        const out = await rawGit(rawDir, [
          'rev-list',
          '--first-parent',
          '--reverse',
          '--format=%H%x00%ct',
          '--no-commit-header',
          `${knownHash}..refs/remotes/origin/main`,
        ]);
        return out.split('\n').filter((line) => line !== '');
      });
    let adapterResult: [{ length: number }, number];
    let rawResult: [string[], number];
    if (round % 2 === 0) {
      adapterResult = await adapterRun();
      rawResult = await rawRun();
    } else {
      rawResult = await rawRun();
      adapterResult = await adapterRun();
    }
    adapterTimes.push(adapterResult[1]);
    rawTimes.push(rawResult[1]);
    console.log(
      `round ${round + 1}: adapter ${ms(adapterResult[1])} (${adapterResult[0].length} commits, the known one included),` +
        ` raw ${ms(rawResult[1])} (${rawResult[0].length} commits)`,
    );
    known = added[added.length - 1];
  }
  const adapterMedian = median(adapterTimes);
  const rawMedian = median(rawTimes);
  console.log(
    `median: adapter ${ms(adapterMedian)}, raw ${ms(rawMedian)}, ratio ${(adapterMedian / rawMedian).toFixed(2)}x (target <= 1.5x)`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
