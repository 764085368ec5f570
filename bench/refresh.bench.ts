/**
 * A pass with nothing new over N packages (default 400), each an upstream and a dist-git served
 * through git's `ext::` transport by a wrapper that sleeps `--delay` ms before running
 * git-upload-pack (a remote host's round trips, at the cost of one sh and one sleep per fetch).
 * The pass is the real one (loadConfiguration, createBuildLoopDeps, BuildPass.run in this
 * process: the `dlrn` CLI minus node's start-up and the report refresh after it), on the real
 * GitCliRepositories; only the environment allows the transport (GIT_CONFIG_COUNT:
 * protocol.ext.allow=always). Nothing new: every package's HEAD is recorded as built (a FAILED
 * build, through the build decider's commands: the cheapest history that makes the pass find
 * nothing new without 400 real builds), then a first pass clones the 2N repositories.
 * Measured, each next to the others:
 *   (a) the pass with `workers` = --workers (the bound of refresh's concurrency);
 *   (b) the same pass with workers=1 (one package after another, as before concurrency);
 *   (c) raw: the same 2N `git fetch --prune origin` in the same clones, --workers at a time
 *       (execFile, nothing else);
 *   (d) raw: every git command the pass runs per package (fetch, for-each-ref, checkout per
 *       clone; log; no `remote get-url`: the origin is read from .git/config; no merge-base:
 *       HEAD is the commit built), --workers packages at a time: where (a) - (c) goes;
 *   then one upstream whose remote hangs (its wrapper sleeps an hour): the pass with the
 *   adapter's own timeout option set to --timeout (the product's is `git_timeout`, by default
 *   DLRN's 3600 s).
 * Prints figures and the load average; asserts nothing but that each pass found nothing new.
 *   node --conditions=source --import @swc-node/register/esm-register bench/refresh.bench.ts \
 *     [--packages 400] [--workers 16] [--delay 150] [--rounds 1] [--timeout 10]
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { BuildPass, type PassReport } from '#application/build-pass/build-pass.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { GIT_TIMEOUT_MS } from '#infrastructure/git/git-command.runner.js';
import { traceCommandsTo } from '#infrastructure/runtime/command-trace.js';
import { recordBuild } from '../test/support/build-commands.js';

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '400' },
    workers: { type: 'string', default: '16' },
    delay: { type: 'string', default: '150' },
    rounds: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10' },
  },
});
const PACKAGES = Number(values.packages);
const WORKERS = Number(values.workers);
const DELAY_MS = Number(values.delay);
const ROUNDS = Number(values.rounds);
const TIMEOUT_S = Number(values.timeout);
for (const [name, value] of Object.entries({ PACKAGES, WORKERS, DELAY_MS, ROUNDS, TIMEOUT_S })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name.toLowerCase()}: a positive integer, please`);
}

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'dlrn-refresh-bench-'));
const remotes = join(root, 'remotes');
const datadir = join(root, 'data');
const infoRepo = join(root, 'rdoinfo');
const configFile = join(root, 'projects.ini');
const wrapper = join(root, 'remote-host.sh');

// Every git of this process and of the pass: no user or system configuration, ext:: allowed.
Object.assign(process.env, {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'protocol.ext.allow',
  GIT_CONFIG_VALUE_0: 'always',
  LC_ALL: 'C',
});

const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---- Remotes: bare repositories written object by object (no git process per repository). ----

function writeObject(gitDir: string, type: 'blob' | 'tree' | 'commit', body: Buffer): string {
  const data = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
  const hash = createHash('sha1').update(data).digest('hex');
  mkdirSync(join(gitDir, 'objects', hash.slice(0, 2)), { recursive: true });
  writeFileSync(join(gitDir, 'objects', hash.slice(0, 2), hash.slice(2)), deflateSync(data));
  return hash;
}

/** A bare repository whose `master` holds one commit of `files` (flat), dated `time`. */
function writeRepository(template: string, gitDir: string, files: Record<string, string>, time: number): string {
  cpSync(template, gitDir, { recursive: true });
  const entries = Object.keys(files)
    .sort()
    .map((name) => {
      const blob = writeObject(gitDir, 'blob', Buffer.from(files[name]!));
      return Buffer.concat([Buffer.from(`100644 ${name}\0`), Buffer.from(blob, 'hex')]);
    });
  const tree = writeObject(gitDir, 'tree', Buffer.concat(entries));
  const who = `Bench <bench@example.org> ${time} +0000`;
  const commit = writeObject(
    gitDir,
    'commit',
    Buffer.from(`tree ${tree}\nauthor ${who}\ncommitter ${who}\n\nImport ${files['README'] ?? ''}\n`),
  );
  writeFileSync(join(gitDir, 'refs', 'heads', 'master'), `${commit}\n`);
  return commit;
}

const spec = (name: string) => `Name: ${name}
Version: 1.0.0
Release: 1%{?dist}
Summary: ${name}
License: ASL 2.0
BuildArch: noarch
Source0: ${name}-1.0.0.tar.gz
%description
${name}
%prep
%setup -q
%files
`;

interface BenchPackage {
  readonly name: string;
  readonly upstreamDir: string;
  readonly commit: CommitDiscovered['data'];
}

async function createRemotes(): Promise<BenchPackage[]> {
  const template = join(root, 'template.git');
  await run('git', ['init', '--quiet', '--bare', '--initial-branch=master', template]);
  rmSync(join(template, 'hooks'), { recursive: true, force: true });
  // The remote host: one round trip's delay, then upload-pack; a repository with a `.hang`
  // file beside it never answers (the wrapper sleeps an hour; its pid is kept to end it).
  writeFileSync(
    wrapper,
    `#!/bin/sh\n# ext:: transport: $1 is git-upload-pack, $2 the repository\n` +
      `if [ -e "$2.hang" ]; then echo $$ >>"$2.hang"; exec sleep 3600; fi\n` +
      `sleep ${(DELAY_MS / 1000).toFixed(3)}\nexec git "\${1#git-}" "$2"\n`,
  );
  chmodSync(wrapper, 0o755);
  const start = 1_700_000_000;
  const packages: BenchPackage[] = [];
  for (let i = 0; i < PACKAGES; i++) {
    const name = `python-bench${String(i).padStart(4, '0')}`;
    const upstreamDir = join(remotes, 'upstream', `${name}.git`);
    const distgitDir = join(remotes, 'distgit', `${name}-distgit.git`);
    const dtCommit = start + 60 * i;
    const dtDistro = start + 60 * i + 30;
    const commitHash = writeRepository(template, upstreamDir, { README: name, [`${name}.py`]: `# ${i}\n` }, dtCommit);
    const distroHash = writeRepository(template, distgitDir, { [`${name}.spec`]: spec(name) }, dtDistro);
    packages.push({
      name,
      upstreamDir,
      commit: {
        package: name,
        project: name,
        type: 'rpm',
        commitHash,
        distroHash,
        extendedHash: null,
        dtCommit,
        dtDistro,
        dtExtended: null,
        commitBranch: 'master',
        component: null,
        upstreamUrl: extUrl(upstreamDir),
        distgitUrl: extUrl(distgitDir),
        versionsCsv: null,
        purpose: { kind: 'commit' },
      },
    });
  }
  // What git makes of the hand-written objects: one full check, first and last repository.
  for (const pkg of [packages[0]!, packages.at(-1)!])
    await run('git', ['fsck', '--strict', '--no-progress'], { cwd: pkg.upstreamDir });
  return packages;
}

const extUrl = (dir: string) => `ext::${wrapper} %S ${dir}`;

function writeConfig(packages: readonly BenchPackage[]): void {
  writeFileSync(
    configFile,
    `[DEFAULT]
datadir=${datadir}
baseurl=file://${join(datadir, 'repos')}
distro=master
source=master
target=centos9
reponame=delorean
workers=${WORKERS}
build_driver=rpmbuild
pkginfo_driver=rdoinfo

[rdoinfo_driver]
info_files=rdo.yml
`,
  );
  // `%%` is rdoinfo's escape of `%` (the entries are %-interpolated).
  const entries = packages.map(
    (p) =>
      `- project: ${p.name}\n  name: ${p.name}\n  upstream: ${JSON.stringify(p.commit.upstreamUrl!.replace('%', '%%'))}\n` +
      `  master-distgit: ${JSON.stringify(p.commit.distgitUrl!.replace('%', '%%'))}`,
  );
  mkdirSync(infoRepo, { recursive: true });
  writeFileSync(
    join(infoRepo, 'rdo.yml'),
    `releases:\n- name: bench\n  branch: master\n  repos:\n  - name: el9\n    distrepos: []\npackage-default:\n  maintainers:\n  - packager@example.org\npackages:\n${entries.join('\n')}\n`,
  );
}

// ---- The pass, in process. ----

interface PassRun {
  readonly ms: number;
  readonly report: PassReport;
  readonly commands: Map<string, number>;
}

/** Loads the configuration, opens the store, runs one pass and closes: a `dlrn` run without node's start. */
async function pass(workers: number, gitTimeoutMs?: number): Promise<PassRun> {
  const commands = new Map<string, number>();
  traceCommandsTo((line) => {
    const verb = line.split(' ')[2] ?? '?';
    commands.set(verb, (commands.get(verb) ?? 0) + 1);
  });
  const t0 = performance.now();
  const { config, packages, packageSource } = await loadConfiguration({
    configFile,
    infoRepo,
    overrides: [`DEFAULT.workers=${workers}`],
  });
  const store = await openEventStore(config.service.eventStoreTarget);
  const deps = createBuildLoopDeps({ config, packages, packageSource, store, log: () => undefined });
  // The adapter's own option; the product builds it with the default (DLRN's 3600 s).
  if (gitTimeoutMs !== undefined) Object.assign(deps, { git: new GitCliRepositories({ timeoutMs: gitTimeoutMs }) });
  try {
    const report = await new BuildPass(deps).run(DEFAULT_PASS_OPTIONS, 'bench');
    return { ms: performance.now() - t0, report, commands };
  } finally {
    traceCommandsTo(null);
    await deps.close?.();
    await store.close();
  }
}

function checkNothingNew(label: string, r: PassRun, skipped = 0): void {
  if (r.report.builds.length !== 0 || r.report.skipped.length !== skipped) {
    const reasons = r.report.skipped.map((s) => `${s.package}: ${s.reason}`).slice(0, 3);
    throw new Error(
      `${label}: expected nothing new, got ${r.report.builds.length} builds, ${r.report.skipped.length} skipped ${reasons.join('; ')}`,
    );
  }
}

const describeCommands = (c: Map<string, number>) =>
  [...c.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([verb, n]) => `${verb} ${n}`)
    .join(', ');

/** The same fetches as a pass, in the same clones, `workers` at a time, and nothing else. */
async function rawFetches(packages: readonly BenchPackage[], workers: number): Promise<number> {
  const dirs = packages.flatMap((p) => [join(datadir, `${p.name}_distro`), join(datadir, p.name)]);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < dirs.length) {
        const cwd = dirs[next++]!;
        await run('git', ['fetch', '--prune', 'origin'], { cwd });
      }
    }),
  );
  return performance.now() - t0;
}

/**
 * The git commands the pass runs for each package (its `--log-commands`), `workers` packages at a
 * time, from this process and nothing else: what refresh costs in processes, without the clone
 * locks (an flock and a cat per clone) and the pass's own work.
 */
async function rawPassCommands(packages: readonly BenchPackage[], workers: number): Promise<number> {
  const refresh = async (cwd: string) => {
    await run('git', ['fetch', '--prune', 'origin'], { cwd });
    await run(
      'git',
      [
        'for-each-ref',
        '--format=%(refname)%00%(upstream:track)%00%(objectname)%00%(committerdate:unix)',
        'refs/heads/',
        'refs/remotes/origin/master',
        'refs/tags/master',
      ],
      { cwd },
    );
    await run('git', ['checkout', '--force', '-B', 'master', 'refs/remotes/origin/master', '--'], { cwd });
  };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < packages.length) {
        const pkg = packages[next++]!;
        const cwd = join(datadir, pkg.name);
        await refresh(join(datadir, `${pkg.name}_distro`));
        await refresh(cwd);
        await run(
          'git',
          [
            'log',
            '--first-parent',
            '--reverse',
            '--format=%H%x00%ct',
            `--max-age=${pkg.commit.dtCommit}`,
            'HEAD',
            '--',
          ],
          {
            cwd,
          },
        );
      }
    }),
  );
  return performance.now() - t0;
}

let hangFile: string | null = null;
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

try {
  console.log(
    `${PACKAGES} packages (${2 * PACKAGES} ext:: remotes, ${DELAY_MS} ms per fetch), workers=${WORKERS}; ${load()}`,
  );
  let t0 = performance.now();
  const packages = await createRemotes();
  writeConfig(packages);
  console.log(`remotes written in ${seconds(performance.now() - t0)}`);

  // Nothing new: every HEAD recorded as built (a FAILED build), through the build decider.
  t0 = performance.now();
  {
    const { config, packages: listed, packageSource } = await loadConfiguration({ configFile, infoRepo });
    const store = await openEventStore(config.service.eventStoreTarget);
    const deps = createBuildLoopDeps({ config, packages: listed, packageSource, store, log: () => undefined });
    const context = { correlationId: randomUUID(), causationId: null, actor: 'bench', trigger: 'bench' };
    for (const pkg of packages) {
      await recordBuild(
        deps.commands,
        {
          commit: pkg.commit,
          buildId: randomUUID(),
          now: new Date(),
          outcome: { status: 'failure', notes: 'recorded by bench/refresh', transientError: null },
        },
        context,
      );
    }
    await store.close();
  }
  console.log(`${PACKAGES} builds recorded in ${seconds(performance.now() - t0)}`);

  const first = await pass(WORKERS);
  checkNothingNew('first pass', first);
  console.log(
    `first pass (clones ${2 * PACKAGES} repositories): ${seconds(first.ms)}; git: ${describeCommands(first.commands)}`,
  );

  const passTimes: number[] = [];
  const rawTimes: number[] = [];
  const rawPassTimes: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate who goes first so neither always meets the same moment of the machine's load.
    const measurePass = async () => {
      const r = await pass(WORKERS);
      checkNothingNew('no-op pass', r);
      passTimes.push(r.ms);
      console.log(
        `  (a) no-op pass, workers=${WORKERS}: ${seconds(r.ms)}; git: ${describeCommands(r.commands)}; ${load()}`,
      );
    };
    const measureRaw = async () => {
      const ms = await rawFetches(packages, WORKERS);
      rawTimes.push(ms);
      console.log(`  (c) raw ${2 * PACKAGES} git fetch, ${WORKERS} at a time: ${seconds(ms)}; ${load()}`);
    };
    const measureRawPass = async () => {
      const ms = await rawPassCommands(packages, WORKERS);
      rawPassTimes.push(ms);
      console.log(
        `  (d) raw: the pass's ${(7 * PACKAGES).toLocaleString('en')} git commands, ${WORKERS} packages at a time: ${seconds(ms)}; ${load()}`,
      );
    };
    console.log(`round ${round}`);
    if (round % 2 === 1) await measurePass().then(measureRaw).then(measureRawPass);
    else await measureRawPass().then(measureRaw).then(measurePass);
  }

  const serial = await pass(1);
  checkNothingNew('serial pass', serial);
  console.log(`  (b) no-op pass, workers=1: ${seconds(serial.ms)}; ${load()}`);

  const a = median(passTimes);
  const c = median(rawTimes);
  const d = median(rawPassTimes);
  console.log(
    `median: pass ${seconds(a)}, raw fetches ${seconds(c)}: ${(a / c).toFixed(2)}× raw (target ≤ 1.3×); ` +
      `serial ${seconds(serial.ms)}: ${(serial.ms / a).toFixed(1)}× faster than serial (target ≥ 5×); ` +
      `delays alone: ${seconds((2 * PACKAGES * DELAY_MS) / WORKERS)} at ${WORKERS} at a time, ${seconds(2 * PACKAGES * DELAY_MS)} serial`,
  );
  console.log(
    `the pass's git commands run raw: ${seconds(d)} (${(d / c).toFixed(2)}× the fetches alone; the pass ${(a / d).toFixed(2)}× them)`,
  );

  // One upstream that never answers: the others are refreshed, it costs the git timeout.
  const hung = packages[Math.floor(PACKAGES / 2)]!;
  hangFile = `${hung.upstreamDir}.hang`;
  writeFileSync(hangFile, '');
  const stuck = await pass(WORKERS, TIMEOUT_S * 1000);
  checkNothingNew('pass with an unreachable remote', stuck, 1);
  console.log(
    `one unreachable upstream (${hung.name}), git timeout ${TIMEOUT_S} s: pass ${seconds(stuck.ms)} ` +
      `(${PACKAGES - 1} packages refreshed, 1 skipped: …${stuck.report.skipped[0]!.reason.slice(-60)}); ` +
      `the product's timeout is [service] git_timeout, by default ${GIT_TIMEOUT_MS / 1000} s (DLRN's): such a pass lasts that long`,
  );
} finally {
  // The hung remote's sleeps, which outlive the git process the timeout killed.
  if (hangFile !== null) {
    for (const pid of readFileSync(hangFile, 'utf8').split('\n').filter(Boolean).map(Number)) {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
}
