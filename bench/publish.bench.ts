/**
 * Publishing one new build into a cumulative repository of 10, 100 and 400 packages (each other
 * package with 2 RPMs already published), next to a bare `createrepo_c` run on the same
 * directory (the ratio is what to watch: the rest is links, CSV, YAML and renames). Target: under
 * 1 s at 400 packages. Prints figures; asserts nothing. Real RPMs, built once and cached in
 * `$TMPDIR/dlrn-publish-bench`.
 *   node --conditions=source --import @swc-node/register/esm-register bench/publish.bench.ts [--runs 5]
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import { repoFileContents, shardedRepoDir } from '#domain/repo/repo-path.js';
import type { VersionsCsvRow } from '#domain/repo/snapshot.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { type BuiltRpm, buildNoarchRpm, buildNoarchSubpackages } from '../test/support/rpm-fixtures.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const SIZES = [10, 100, 400];
const MAX = Math.max(...SIZES);
const CACHE = join(tmpdir(), 'dlrn-publish-bench', 'rpms-v1');

const sha = (seed: string) => createHash('sha1').update(seed).digest('hex');
const pkgName = (i: number) => `pkg${String(i).padStart(4, '0')}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function cachedRpms(): Promise<{ fresh: BuiltRpm; others: string[] }> {
  await mkdir(CACHE, { recursive: true });
  const names = Array.from({ length: MAX }, (_, i) => [pkgName(i), `${pkgName(i)}-doc`]).flat();
  const have = new Set(await readdir(CACHE));
  const others = names.map((n) => `${n}-1.0-1.el9.noarch.rpm`);
  if (!others.every((f) => have.has(f))) {
    const started = performance.now();
    await buildNoarchSubpackages({ outDir: CACHE, names });
    console.log(`built ${names.length} RPMs once in ${Math.round(performance.now() - started)} ms (cached)`);
  }
  const nvr = 'python-fresh-2.0-1.el9';
  const fresh = { rpm: join(CACHE, `${nvr}.noarch.rpm`), srpm: join(CACHE, `${nvr}.src.rpm`), nvr };
  if (!have.has(`${nvr}.noarch.rpm`) || !have.has(`${nvr}.src.rpm`)) {
    return { fresh: await buildNoarchRpm({ outDir: CACHE, name: 'python-fresh', version: '2.0' }), others };
  }
  return { fresh, others };
}

/** Places `size` packages as earlier builds would have: 2 RPMs each in its own hashed dir. */
async function seedRepos(reposDir: string, size: number, others: string[]): Promise<string[]> {
  const artifacts: string[] = [];
  for (let i = 0; i < size; i += 1) {
    const dir = shardedRepoDir({ commitHash: sha(`c${i}`), distroHash: sha(`d${i}`), extendedHash: null });
    await mkdir(join(reposDir, dir), { recursive: true });
    for (const file of others.slice(i * 2, i * 2 + 2)) {
      await link(join(CACHE, file), join(reposDir, dir, file)).catch(() =>
        copyFile(join(CACHE, file), join(reposDir, dir, file)),
      );
      artifacts.push(`repos/${dir}/${file}`);
    }
  }
  return artifacts;
}

function row(project: string, commit: string): VersionsCsvRow {
  return {
    project,
    sourceRepo: `https://github.com/openstack/${project}`,
    sourceSha: commit,
    distRepo: `https://github.com/rdo-packages/${project}-distgit.git`,
    distSha: sha(`${commit}d`),
    status: 'SUCCESS',
    lastSuccessTimestamp: 1700000000,
    component: null,
    extendedSha: null,
    pkgNvr: `${project}-1.0-1.el9`,
  };
}

async function benchSize(size: number, rpms: { fresh: BuiltRpm; others: string[] }) {
  const data = await mkdtemp(join(tmpdir(), 'dlrn-publish-bench-data-'));
  const reposDir = join(data, 'repos');
  try {
    const artifacts = await seedRepos(reposDir, size, rpms.others);
    const publisher = new FsRepoPublisher();
    const publishMs: number[] = [];
    let lastDir = '';
    for (let r = 0; r < RUNS; r += 1) {
      const commit = sha(`new-${size}-${r}`);
      const repoDir = shardedRepoDir({ commitHash: commit, distroHash: sha(`nd${r}`), extendedHash: null });
      const stagingDir = join(
        reposDir,
        repoDir.replace(/[^/]+$/, (base) => `.staging-${base}`),
      );
      await mkdir(stagingDir, { recursive: true });
      for (const file of [rpms.fresh.rpm, rpms.fresh.srpm])
        await copyFile(file, join(stagingDir, file.split('/').pop() ?? ''));
      const versions = Array.from({ length: size }, (_, i) => row(pkgName(i), sha(`c${i}`)));
      const started = performance.now();
      await publisher.publish({
        reposDir,
        repoDir,
        stagingDir,
        linkedArtifacts: artifacts,
        versions: [...versions, row('python-fresh', commit)],
        commitYaml: { id: r, project_name: 'python-fresh', commit_hash: commit, status: 'SUCCESS', flags: 0 },
        repoFile: {
          name: 'delorean.repo',
          contents: repoFileContents({
            reponame: 'delorean',
            packageName: 'python-fresh',
            commitHash: commit,
            baseurl: 'http://x',
            repoDir,
          }),
        },
        withRepodata: true,
        includeSrpm: true,
      });
      publishMs.push(performance.now() - started);
      lastDir = join(reposDir, repoDir);
    }
    const bareMs: number[] = [];
    for (let r = 0; r < RUNS; r += 1) {
      const started = performance.now();
      await run('createrepo_c', [lastDir]);
      bareMs.push(performance.now() - started);
    }
    return { size, files: artifacts.length + 2, publish: median(publishMs), bare: median(bareMs) };
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}

const rpms = await cachedRpms();
console.log(`publish one build (median of ${RUNS}) vs bare createrepo_c on the same directory`);
console.log('packages  rpm files  publish ms  createrepo_c ms  ratio');
const results = [];
for (const size of SIZES) {
  const r = await benchSize(size, rpms);
  results.push(r);
  console.log(
    `${String(r.size).padStart(8)}  ${String(r.files).padStart(9)}  ${r.publish.toFixed(1).padStart(10)}  ${r.bare.toFixed(1).padStart(15)}  ${(r.publish / r.bare).toFixed(2).padStart(5)}`,
  );
}
const first = results[0];
const last = results.at(-1);
if (first && last) {
  const perPackage = (last.publish - first.publish) / (last.size - first.size);
  console.log(`growth: ${perPackage.toFixed(2)} ms per extra package (${first.size} → ${last.size})`);
  console.log(
    `target: under 1000 ms at ${last.size} packages → ${last.publish < 1000 ? 'met' : 'MISSED'} (${last.publish.toFixed(0)} ms)`,
  );
}
