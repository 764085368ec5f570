/**
 * A site of N tiny noarch packages for the scale-out bench and proof (bench/scale.bench.ts,
 * bench/builders.bench.ts, test/e2e/scale-out-combined.e2e.spec.ts): their upstreams and
 * dist-gits as local git repositories, DLRN's projects.ini and rdo.yml (the demo's, with a
 * `[service]` section naming the stores), new commits to build, `dlrn` processes from source,
 * the event log read back, and a PostgreSQL database of its own that is dropped afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { RecordedEvent } from '#domain/shared/event.js';
import { eventStoreTargetFromUrl, openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { commitDemoChange, writeDemoConfig, type DemoPackage } from '../apps/cli/src/demo/demo-example.js';

const run = promisify(execFile);

/** The PostgreSQL server the tests and benches use (trust authentication). */
export const POSTGRES_URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

async function git(cwd: string, args: string[], date: number): Promise<void> {
  const stamp = `${date} +0000`;
  await run('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Scale Upstream',
      GIT_AUTHOR_EMAIL: 'upstream@example.org',
      GIT_COMMITTER_NAME: 'Scale Upstream',
      GIT_COMMITTER_EMAIL: 'upstream@example.org',
      GIT_AUTHOR_DATE: stamp,
      GIT_COMMITTER_DATE: stamp,
    },
  });
}

/** The smallest package rpmbuild makes: one data file; %build waits DLRN_DEMO_BUILD_SECONDS. */
function spec(name: string): string {
  return `Name:           ${name}
Version:        1.0.0
Release:        1%{?dist}
Summary:        A tiny package of the scale-out bench
License:        Apache-2.0
BuildArch:      noarch
Source0:        ${name}-1.0.0.tar.gz

%description
A tiny package of the scale-out bench.

%prep
%setup -q

%build
sleep "\${DLRN_DEMO_BUILD_SECONDS:-0}"

%install
install -D -m 0644 data.txt %{buildroot}%{_datadir}/${name}/data.txt

%files
%{_datadir}/${name}/data.txt

%changelog
* Mon Jan 01 2024 Scale Packager <packager@example.org> - 1.0.0-1
- Initial package
`;
}

/** `count` packages `tiny-00`, `tiny-01`…, each upstream with one commit (tagged 1.0.0) at `start + i`. */
export async function createTinyPackages(root: string, count: number, start: number): Promise<DemoPackage[]> {
  const packages: DemoPackage[] = [];
  for (let i = 0; i < count; i++) {
    const name = `tiny-${String(i).padStart(2, '0')}`;
    const pkg = {
      name,
      project: name,
      upstream: join(root, 'git', 'upstream', name),
      distgit: join(root, 'git', 'distgit', `${name}-distgit`),
    };
    for (const [dir, branch] of [
      [pkg.upstream, 'master'],
      [pkg.distgit, 'rpm-master'],
    ] as const) {
      await mkdir(dir, { recursive: true });
      await git(dir, ['init', '-q', '-b', branch], start);
    }
    await commitDemoChange(pkg.upstream, 'Initial import', start + i, () =>
      writeFile(join(pkg.upstream, 'data.txt'), `${name}\n`),
    );
    await git(pkg.upstream, ['tag', '1.0.0'], start + i);
    await commitDemoChange(pkg.distgit, `Package ${name}`, start + i, () =>
      writeFile(join(pkg.distgit, `${name}.spec`), spec(name)),
    );
    packages.push(pkg);
  }
  return packages;
}

/**
 * New commit number `k` (1, 2…) in every package's upstream, each at its own second after
 * `start` (DLRN orders builds by commit time; one in the same second as the last built is
 * outside its `--after` window).
 */
export async function addCommits(packages: readonly DemoPackage[], k: number, start: number): Promise<void> {
  for (const [i, pkg] of packages.entries()) {
    await commitDemoChange(pkg.upstream, `change ${k}`, start + 1000 * k + i, () =>
      writeFile(join(pkg.upstream, `change-${k}.txt`), `${k}\n`),
    );
  }
}

/** projects.ini (datadir `<root>/data`) and `<root>/rdoinfo/rdo.yml`, with the stores given. */
export async function writeScaleConfig(
  root: string,
  packages: readonly DemoPackage[],
  stores: { readonly eventStore?: string; readonly readModelStore?: string } = {},
): Promise<string> {
  const ini = await writeDemoConfig(root, packages);
  const service = [
    stores.eventStore === undefined ? '' : `event_store=${stores.eventStore}\n`,
    stores.readModelStore === undefined ? '' : `read_model_store=${stores.readModelStore}\n`,
  ].join('');
  if (service !== '') await appendFile(ini, `\n[service]\n${service}`);
  return ini;
}

/**
 * `dlrn builder --once` (or any `dlrn` command); its output kept, its exit awaited. From source
 * (compiled as it loads: the tests, which must run the code as it is), or `built`: the
 * executable `bin/dlrn.js` an installation runs, from `dist/` (the benches, after `npm run build`).
 */
export function spawnDlrn(
  args: readonly string[],
  buildSeconds: string,
  options: { readonly built?: boolean } = {},
): { child: ChildProcess; code: Promise<number | null>; output: () => string } {
  const entry = options.built
    ? [fileURLToPath(new URL('../bin/dlrn.js', import.meta.url))]
    : ['--conditions=source', '--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], {
    env: { ...process.env, DLRN_DEMO_BUILD_SECONDS: buildSeconds },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  return { child, code, output: () => text };
}

/** Every event of the store `url` names (`sqlite:///…` relative to `root`, or `postgresql://…`). */
export async function readLog(url: string, root: string): Promise<RecordedEvent[]> {
  const store = await openEventStore(eventStoreTargetFromUrl(url, root));
  try {
    const all: RecordedEvent[] = [];
    for (;;) {
      const page = await store.readAll({ after: all.at(-1)?.position ?? 0, maxCount: 5000 });
      all.push(...page);
      if (page.length < 5000) return all;
    }
  } finally {
    await store.close();
  }
}

/** A PostgreSQL database of its own (`<prefix>_<pid>_<time>`): its URL, and how to drop it. */
export async function createPostgresDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const sql = async (text: string): Promise<void> => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(text);
    } finally {
      await admin.end();
    }
  };
  await sql(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** What one timed run of builders gave. */
export interface BuildersRun {
  /** Wall time of the concurrent builders, from their start to the last one's exit. */
  readonly seconds: number;
  /** Commits built by them (the first pass's HEADs not counted). */
  readonly builds: number;
  /** BuildSucceeded beyond one per build stream, over the whole log: must be 0. */
  readonly doubles: number;
  /** The site, its stores still there: the caller disposes of it. */
  readonly site: {
    readonly root: string;
    readonly ini: string;
    readonly eventStore: string;
    readonly readModelStore: string;
  };
  readonly dispose: () => Promise<void>;
}

/**
 * `packages` tiny packages built once (one `dlrn builder --once`, no wait), then `commits` new
 * commits each, built by `builders` concurrent `dlrn builder --once` processes on the one
 * datadir whose %build waits `sleep` seconds; events (and views) in SQLite files or in a
 * PostgreSQL database of its own.
 */
export async function measureBuilders(options: {
  readonly builders: number;
  readonly packages: number;
  readonly commits: number;
  readonly sleep: string;
  readonly store: 'sqlite' | 'postgresql';
  /** Run `bin/dlrn.js` (dist/) rather than the sources: see spawnDlrn. */
  readonly built?: boolean;
}): Promise<BuildersRun> {
  const root = await mkdtemp(join(tmpdir(), 'dlrn-scale-bench-'));
  let drop = async (): Promise<void> => undefined;
  const dispose = async (): Promise<void> => {
    await drop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    let eventStore = `sqlite:///${join(root, 'data', 'events.sqlite')}`;
    let readModelStore = `sqlite:///${join(root, 'data', 'views.sqlite')}`;
    if (options.store === 'postgresql') {
      const db = await createPostgresDatabase('dlrn_scale_bench');
      drop = db.drop;
      eventStore = `${db.url}?schema=dlrn_events`;
      readModelStore = db.url;
    }
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createTinyPackages(root, options.packages, start);
    const ini = await writeScaleConfig(root, packages, { eventStore, readModelStore });
    const args = ['builder', '--once', '--config-file', ini, '--info-repo', join(root, 'rdoinfo')];
    const built = { built: options.built === true };
    const first = spawnDlrn(args, '0', built);
    if ((await first.code) !== 0) throw new Error(`the first pass failed:\n${first.output().slice(-3000)}`);
    for (let k = 1; k <= options.commits; k++) await addCommits(packages, k, start);
    const t0 = performance.now();
    const runs = Array.from({ length: options.builders }, () => spawnDlrn(args, options.sleep, built));
    const codes = await Promise.all(runs.map((r) => r.code));
    const seconds = (performance.now() - t0) / 1000;
    if (codes.some((c) => c !== 0)) {
      throw new Error(`a builder exited ${codes.join(', ')}:\n${runs.map((r) => r.output().slice(-2000)).join('\n')}`);
    }
    const events = await readLog(eventStore, root);
    const succeeded = events.filter((e) => e.type === 'BuildSucceeded');
    const streams = new Set(succeeded.map((e) => e.streamId));
    return {
      seconds,
      builds: streams.size - options.packages,
      doubles: succeeded.length - streams.size,
      site: { root, ini, eventStore, readModelStore },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
