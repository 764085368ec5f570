/**
 * One trivial noarch package, built N times by the RPM pipeline (rpmbuild driver: version from
 * tags, git archive, spec rewrite, rpmbuild -bs, rpmbuild --rebuild) and N times by hand
 * (git archive, rpmbuild -ba), each followed by createrepo_c. Runs alternate so that drift in
 * the machine hits both sides. Prints mean times and the ratio (target ≤ 1.3×); asserts nothing.
 *   node --conditions=source --import @swc-node/register/esm-register bench/build.bench.ts [--runs 10]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RpmbuildBuildDriver } from '#infrastructure/rpm/rpmbuild.driver.js';
import { RpmBuildPipeline } from '#infrastructure/rpm/rpm-build.pipeline.js';
import {
  buildRequest,
  distgitRepo,
  fixtureEnv,
  noarchSpec,
  tempDir,
  upstreamRepo,
} from '../test/support/rpm-build.fixtures.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const RUNS = Number(values.runs);

const root = tempDir('dlrn-build-bench-');
const env = fixtureEnv(root);
const upstream = upstreamRepo(root, env);
const commit = upstream.after[0];
const distgitDir = distgitRepo(root, env, { 'dlrn-hello.spec': noarchSpec('dlrn-hello') });
const pipeline = new RpmBuildPipeline(new RpmbuildBuildDriver(), { baseEnv: env });

// The hand-written side builds the spec the pipeline would write, so both produce the same RPMs.
const handSpec = noarchSpec('dlrn-hello', { prep: '%setup -q -n dlrn-hello-1.2.1' })
  .replace('Version:        XXX', 'Version: 1.2.1')
  .replace('Release:        XXX', `Release: 0.20230110104845.${commit.slice(0, 7)}%{?dist}`)
  .replace(/^Source0:.*$/m, 'Source0: dlrn-hello.tar.gz')
  .replace(/^%changelog[\s\S]*$/m, '%changelog\n');

let run = 0;

async function viaPipeline(): Promise<void> {
  const outputDir = join(root, `pipeline-${++run}`);
  mkdirSync(outputDir);
  await pipeline.build(buildRequest({ sourceDir: upstream.dir, commitHash: commit, distgitDir, outputDir }));
  execFileSync('createrepo_c', ['--quiet', outputDir]);
}

function byHand(): void {
  const topdir = join(root, `hand-${++run}`);
  const repo = join(topdir, 'repo');
  for (const dir of ['SOURCES', 'SPECS', 'repo']) mkdirSync(join(topdir, dir), { recursive: true });
  execFileSync('git', [
    '-C',
    upstream.dir,
    'archive',
    '--format=tar.gz',
    '--prefix=dlrn-hello-1.2.1/',
    '-o',
    join(topdir, 'SOURCES', 'dlrn-hello.tar.gz'),
    commit,
  ]);
  writeFileSync(join(topdir, 'SPECS', 'dlrn-hello.spec'), handSpec);
  execFileSync(
    'rpmbuild',
    [
      '-ba',
      '--nodeps',
      '--define',
      `_topdir ${topdir}`,
      '--define',
      'dist .el9',
      join(topdir, 'SPECS', 'dlrn-hello.spec'),
    ],
    { stdio: 'ignore' },
  );
  for (const sub of ['SRPMS', join('RPMS', 'noarch')]) {
    for (const file of readdirSync(join(topdir, sub))) copyFileSync(join(topdir, sub, file), join(repo, file));
  }
  execFileSync('createrepo_c', ['--quiet', repo]);
}

async function timed(work: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

try {
  await viaPipeline(); // warm-up: page cache, rpm's macro files
  byHand();
  const pipelineMs: number[] = [];
  const handMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    pipelineMs.push(await timed(viaPipeline));
    handMs.push(await timed(byHand));
  }
  const p = mean(pipelineMs);
  const h = mean(handMs);
  console.log(`noarch package, ${RUNS} runs each (createrepo_c included on both sides)`);
  console.log(`  pipeline (rpmbuild driver)       ${p.toFixed(0).padStart(6)} ms/build`);
  console.log(`  git archive + rpmbuild -ba       ${h.toFixed(0).padStart(6)} ms/build`);
  console.log(`  ratio                            ${(p / h).toFixed(2).padStart(6)}× (target ≤ 1.3×)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
