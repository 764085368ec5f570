/**
 * Scale-out figures (issue 15, "Measure"), each next to a baseline run by this same script:
 * - builds per minute with 1, 2 and 4 `dlrn builder --once` processes on one datadir, events
 *   (and views) in SQLite files, then in PostgreSQL; baseline: 1 builder on the same store.
 *   `--packages` tiny noarch packages (bench/scale-site.ts) built once, then `--commits` new
 *   commits each to build, timed. Each build waits `--sleep` seconds in %build: a build that
 *   waits on something other than this CPU (a mock chroot's downloads, a remote build farm), as
 *   `bench/builders.bench.ts` does. CPU-bound builds (`--sleep 0`) cannot scale on 2 cores:
 *   rpmbuild, createrepo_c and git already keep both busy. Every commit built exactly once is
 *   checked (a double build stops the bench).
 * - API requests per second with 1 and 2 `dlrn api` replicas on PostgreSQL views (the last
 *   PostgreSQL site, its views filled by `dlrn projector`): `wrk -t2 -c8` at one replica, then
 *   `wrk -t1 -c4` at each of two at once (the same threads and connections in total), summed;
 *   baseline: 1 replica.
 * Every `dlrn` process runs `bin/dlrn.js`, the compiled executable an installation runs: the
 * script runs `npm run build` first (from source, each process would spend seconds compiling
 * itself as it starts: a cost no installation pays, and one that two processes starting at once
 * pay on the same 2 cores).
 * The PostgreSQL event store's append and catch-up rates next to a raw `pg` insert loop are
 * bench/scale-events.bench.ts (`npm run bench:scale-events`).
 *   npm run bench:scale
 *   node --conditions=source --import @swc-node/register/esm-register bench/scale.bench.ts \
 *     [--packages 30] [--commits 2] [--sleep 1] [--builders 1,2,4] [--stores sqlite,postgresql] [--api-seconds 10]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { DiscoveredCommit } from '#domain/build/build.events.js';
import { measureBuilders, readLog, spawnDlrn, type BuildersRun } from './scale-site.js';

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '30' },
    commits: { type: 'string', default: '2' },
    sleep: { type: 'string', default: '1' },
    builders: { type: 'string', default: '1,2,4' },
    stores: { type: 'string', default: 'sqlite,postgresql' },
    'api-seconds': { type: 'string', default: '10' },
  },
});
const PACKAGES = Number(values.packages);
const COMMITS = Number(values.commits);
const SLEEP = values.sleep!;
const BUILDERS = values.builders!.split(',').map(Number);
const STORES = values.stores!.split(',') as ('sqlite' | 'postgresql')[];
const API_SECONDS = Number(values['api-seconds']);
for (const store of STORES) {
  if (store !== 'sqlite' && store !== 'postgresql') throw new Error(`--stores: '${store}' is not sqlite or postgresql`);
}

console.log(
  `${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at start (a shared machine: compare the ratios)`,
);
console.log(
  `builds: ${PACKAGES} packages × ${COMMITS} new commits = ${PACKAGES * COMMITS} builds per run, each waiting ${SLEEP} s in %build`,
);
execFileSync('npm', ['run', '-s', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
let apiSite: BuildersRun | undefined;
for (const store of STORES) {
  let base = 0;
  for (const builders of BUILDERS) {
    const run = await measureBuilders({
      builders,
      packages: PACKAGES,
      commits: COMMITS,
      sleep: SLEEP,
      store,
      built: true,
    });
    if (store === 'postgresql' && builders === BUILDERS.at(-1)) apiSite = run;
    else await run.dispose();
    if (run.builds !== PACKAGES * COMMITS || run.doubles !== 0) {
      throw new Error(`${store}, ${builders} builders: ${run.builds} commits built, ${run.doubles} built twice`);
    }
    const perMinute = (run.builds / run.seconds) * 60;
    if (base === 0) base = perMinute;
    console.log(
      `  ${store.padEnd(10)} ${builders} builder(s): ${run.builds} builds in ${run.seconds.toFixed(1)} s = ` +
        `${perMinute.toFixed(1)} builds/min, ${(perMinute / base).toFixed(2)}× ${BUILDERS[0]} builder(s); double builds: ${run.doubles}`,
    );
  }
}

if (apiSite) {
  const site = apiSite.site;
  const started: ChildProcess[] = [];
  /** A `dlrn` service from source, once it printed `ready`; the first capture group. */
  const service = async (args: string[], ready: RegExp): Promise<string> => {
    const s = spawnDlrn(args, '0', { built: true });
    started.push(s.child);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const match = ready.exec(s.output());
      if (match) return match[1] ?? '';
      if (s.child.exitCode !== null || Date.now() > deadline) throw new Error(`not ready:\n${s.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    // The builders' passes brought the views up to date: the projector has nothing to announce.
    started.push(spawnDlrn(['projector', '--config-file', site.ini], '0', { built: true }).child);
    const listening = /api: listening on (http:\/\/[^/]+)\//;
    const replicas = [
      await service(['api', '--config-file', site.ini, '--port', '0', '--host', '127.0.0.1'], listening),
      await service(['api', '--config-file', site.ini, '--port', '0', '--host', '127.0.0.1'], listening),
    ];
    // Both replicas' views past the log's end: a read with the header waits for it.
    const log = await readLog(site.eventStore, site.root);
    const position = String(log.at(-1)!.position);
    for (const url of replicas) {
      for (let tries = 0; ; tries++) {
        const read = await fetch(`${url}/api/packages`, { headers: { 'x-dlrn-position': position } });
        if (read.status === 200) break;
        if (tries > 20) throw new Error(`${url}: views never reached position ${position}`);
      }
    }
    const commit = log.findLast((e) => e.type === 'CommitDiscovered')!.data as DiscoveredCommit;
    const paths = [
      `/api/repo_status?commit_hash=${commit.commitHash}&distro_hash=${commit.distroHash}`,
      '/api/last_tested_repo?max_age=0',
      '/api/packages',
      '/api/builds?limit=100',
    ];
    console.log(
      `API on PostgreSQL views (${PACKAGES * (COMMITS + 1)} builds): wrk ${API_SECONDS} s per figure, after a 1 s warm-up`,
    );
    for (const path of paths) {
      for (const url of replicas) await wrk([`${url}${path}`], 1);
      const one = await wrk([`${replicas[0]}${path}`], API_SECONDS);
      const two = await wrk(
        replicas.map((url) => `${url}${path}`),
        API_SECONDS,
      );
      console.log(
        `  ${path.slice(0, 48).padEnd(48)} 1 replica ${fmt(one)}; 2 replicas ${fmt(two)} = ${(two.rps / one.rps).toFixed(2)}×`,
      );
    }
  } finally {
    for (const child of started) child.kill('SIGTERM');
    await Promise.all(
      started.map((child) => new Promise((done) => (child.exitCode === null ? child.on('close', done) : done(null)))),
    );
    await apiSite.dispose();
  }
}

function fmt(r: { rps: number; p99: number; errors: number }): string {
  return `${Math.round(r.rps).toLocaleString('en-US')} req/s (p99 ${r.p99.toFixed(1)} ms${r.errors ? `, ${r.errors} errors` : ''})`;
}

/** wrk at each URL at once (8 connections and 2 threads in all), requests per second summed. */
async function wrk(urls: readonly string[], seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const threads = Math.max(1, 2 / urls.length);
  const connections = 8 / urls.length;
  const outputs = await Promise.all(
    urls.map(
      (url) =>
        new Promise<string>((done, fail) => {
          const child = spawn('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('error', (error) => fail(new Error(`wrk: ${error.message} (apt-get install wrk)`)));
          child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`wrk exited ${code}: ${out}`))));
        }),
    ),
  );
  const number = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  const ms = (text: string): number => {
    const m = /^\s+99%\s+([\d.]+)(us|ms|s)$/m.exec(text);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'] : Number.NaN;
  };
  return {
    rps: outputs.reduce((sum, out) => sum + number(out, /Requests\/sec:\s+([\d.]+)/), 0),
    p99: Math.max(...outputs.map(ms)),
    errors: outputs.reduce((sum, out) => sum + (number(out, /Non-2xx or 3xx responses:\s+(\d+)/) || 0), 0),
  };
}
