/**
 * The HTTP API under load, measured like a deployment: a seeded store (20,000 builds over 50
 * packages and ~60 days, 5,000 CI votes, 200 promotions, 500 aggregate votes), the API in a child
 * process, `wrk -t2 -c8 --latency` per endpoint, and a bare `node:http` server driven the same
 * way as the baseline (and, for answers over 32 KiB, sending as many bytes). Prints figures next to
 * the targets; asserts nothing.
 *   npm run bench:api
 *   BENCH_API_SECONDS=3 BENCH_API_BUILDS=2000 npm run bench:api      quick iteration
 *   BENCH_API_ONLY=promotions BENCH_API_PROFILE=1 npm run bench:api   where the time goes
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { summariseProfile } from './api-profile.js';
import { seedApiStore } from './api-seed.js';

// Bench knobs, read here only (the service's config never comes from the environment).
const env = process.env;
const SECONDS = Number(env['BENCH_API_SECONDS'] ?? 10);
const BUILDS = Number(env['BENCH_API_BUILDS'] ?? 20_000);
const ONLY = env['BENCH_API_ONLY'] ? new RegExp(env['BENCH_API_ONLY']) : null;
const PROFILE = env['BENCH_API_PROFILE'] === '1';
/** Answers at least this big are also compared with a bare server sending as many bytes. */
const LARGE_BODY = 32 * 1024;
const scale = (n: number) => Math.max(10, Math.round((n * BUILDS) / 20_000));

type Kind = 'json' | 'page' | 'resource' | 'conditional';
interface Endpoint {
  readonly label: string;
  readonly path: string;
  readonly kind: Kind;
  /** Pages that may not be wired yet: a 404 is reported as "not served", not as a failure. */
  readonly optional?: boolean;
  /** Sent with every request: `If-None-Match` with the ETag of the first answer. */
  readonly conditional?: boolean;
}

interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly socketErrors: string | null;
}

const TARGETS: Record<Kind, { readonly rps: number; readonly bare?: number; readonly p99Ms?: number }> = {
  json: { rps: 15_000, bare: 0.3, p99Ms: 5 },
  page: { rps: 2_000 },
  resource: { rps: 10_000 },
  conditional: { rps: 25_000 },
};

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

/** wrk's report: Requests/sec, the 50%/99% lines of `--latency`, non-2xx/3xx and socket errors. */
export function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const socket = /Socket errors: (.*)/.exec(output)?.[1] ?? null;
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: toMs(/^\s+50%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    p99Ms: toMs(/^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    requests: number(/(\d+) requests in/),
    errors: number(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    socketErrors: socket,
  };
}

function wrk(url: string, seconds: number, headers: readonly string[] = []): WrkResult {
  const flags = headers.flatMap((header) => ['-H', header]);
  const run = spawnSync('wrk', ['-t2', '-c8', `-d${seconds}s`, '--latency', ...flags, url], { encoding: 'utf8' });
  if (run.error) throw new Error(`wrk: ${run.error.message} (apt-get install wrk)`);
  if (run.status !== 0) throw new Error(`wrk exited with ${run.status}: ${run.stderr}`);
  return parseWrk(run.stdout);
}

interface Server {
  readonly base: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `bench/api-server.ts` with the same loader flags as the npm scripts. */
async function startServer(args: readonly string[], nodeFlags: readonly string[] = []): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      '--conditions=source',
      '--import',
      '@swc-node/register/esm-register',
      'bench/api-server.ts',
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  child.removeAllListeners('exit');
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((stopped) => {
        child.once('exit', () => stopped());
        child.stdin!.end();
      }),
  };
}

const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

function verdict(kind: Kind, result: WrkResult, bare: number): string {
  if (result.errors > 0) return `ERRORS (${result.errors} non-2xx/3xx)`;
  if (result.socketErrors) return `socket errors: ${result.socketErrors}`;
  const target = TARGETS[kind];
  const misses: string[] = [];
  if (result.requestsPerSecond < target.rps) misses.push(`< ${thousands(target.rps)} req/s`);
  if (target.bare !== undefined && result.requestsPerSecond < target.bare * bare) misses.push(`< ${target.bare}× bare`);
  if (target.p99Ms !== undefined && !(result.p99Ms < target.p99Ms)) misses.push(`p99 ≥ ${target.p99Ms} ms`);
  return misses.length === 0 ? 'ok' : `below target (${misses.join(', ')})`;
}

const dir = mkdtempSync(join(tmpdir(), 'dlrn-bench-api-'));
const servers: Server[] = [];
try {
  const t0 = performance.now();
  const seeded = await seedApiStore(dir, {
    builds: BUILDS,
    packages: 50,
    votes: scale(5_000),
    aggregateVotes: scale(500),
    promotions: scale(200),
  });
  console.log(
    `seed: ${BUILDS.toLocaleString('en-US')} builds, ${seeded.events.toLocaleString('en-US')} events appended and projected in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const { commitHash, distroHash } = seeded.votedRepo;
  const endpoints = (
    [
      { label: 'GET /api/health', path: '/api/health', kind: 'json' },
      { label: 'GET /api/last_tested_repo', path: '/api/last_tested_repo?max_age=0', kind: 'json' },
      {
        label: 'GET /api/last_tested_repo job_id',
        path: `/api/last_tested_repo?max_age=0&job_id=${seeded.jobId}`,
        kind: 'json',
      },
      {
        label: 'GET /api/repo_status',
        path: `/api/repo_status?commit_hash=${commitHash}&distro_hash=${distroHash}`,
        kind: 'json',
      },
      { label: 'GET /api/promotions limit=100', path: '/api/promotions?limit=100', kind: 'json' },
      { label: 'GET /api/agg_status', path: `/api/agg_status?aggregate_hash=${seeded.aggregateHash}`, kind: 'json' },
      {
        label: 'GET /api/metrics/builds',
        path: `/api/metrics/builds?start_date=${seeded.startDate}&end_date=${seeded.endDate}`,
        kind: 'json',
      },
      { label: 'GET /metrics', path: '/metrics', kind: 'page' },
      { label: 'GET /api/status_report.html', path: '/api/status_report.html', kind: 'page', optional: true },
      { label: 'GET /api/report.html', path: '/api/report.html', kind: 'page', optional: true },
      { label: 'GET /api/packages', path: '/api/packages', kind: 'resource' },
      { label: 'GET /api/builds limit=100', path: '/api/builds?limit=100', kind: 'resource' },
      { label: 'GET /api/failures', path: '/api/failures', kind: 'resource' },
      {
        label: 'GET /api/builds limit=100, If-None-Match → 304',
        path: '/api/builds?limit=100',
        kind: 'conditional',
        conditional: true,
      },
    ] satisfies Endpoint[]
  ).filter((e: Endpoint) => ONLY === null || ONLY.test(e.label));

  const profileDir = join(dir, 'profile');
  const bare = await startServer(['--bare']);
  servers.push(bare);
  const api = await startServer([seeded.configFile], PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  servers.push(api);
  console.log(`wrk -t2 -c8 -d${SECONDS}s --latency, after a 1 s warm-up per URL (2 cores shared: figures are noisy)`);

  wrk(`${bare.base}/`, 1);
  const baseline = wrk(`${bare.base}/`, SECONDS);
  const rows: string[][] = [
    [
      'bare node:http (baseline)',
      '200',
      thousands(baseline.requestsPerSecond),
      fixed(baseline.p50Ms),
      fixed(baseline.p99Ms),
      '1.00',
      '',
      '',
      '',
    ],
  ];
  for (const endpoint of endpoints) {
    const url = `${api.base}${endpoint.path}`;
    const first = await fetch(url);
    const body = await first.text();
    if (first.status === 404 && endpoint.optional) {
      rows.push([endpoint.label, '404', 'not served', '', '', '', '', '', '']);
      continue;
    }
    if (first.status >= 400) {
      rows.push([endpoint.label, String(first.status), 'ERROR', '', '', '', '', '', body.slice(0, 120)]);
      continue;
    }
    const etag = first.headers.get('etag');
    const headers = endpoint.conditional && etag !== null ? [`If-None-Match: ${etag}`] : [];
    const status =
      headers.length > 0 ? (await fetch(url, { headers: { 'if-none-match': etag! } })).status : first.status;
    if (endpoint.conditional && status !== 304) {
      rows.push([endpoint.label, String(status), 'ERROR', '', '', '', '', '', `no 304 for ETag ${etag}`]);
      continue;
    }
    wrk(url, 1, headers);
    const result = wrk(url, SECONDS, headers);
    const target = TARGETS[endpoint.kind];
    // Big answers: also against the bare server sending a body of the same size.
    const bytes = Buffer.byteLength(body);
    let sameSize = '';
    if (status === 200 && bytes >= LARGE_BODY) {
      const sized = `${bare.base}/?bytes=${bytes}`;
      wrk(sized, 1);
      sameSize = fixed(result.requestsPerSecond / wrk(sized, SECONDS).requestsPerSecond);
    }
    rows.push([
      endpoint.label,
      status === 304
        ? `304 (of ${(body.length / 1024).toFixed(1)} KiB)`
        : `${status} (${(body.length / 1024).toFixed(1)} KiB)`,
      thousands(result.requestsPerSecond),
      fixed(result.p50Ms),
      fixed(result.p99Ms),
      fixed(result.requestsPerSecond / baseline.requestsPerSecond),
      sameSize,
      `≥ ${thousands(target.rps)}${target.bare ? `, ≥ ${target.bare}×` : ''}${target.p99Ms ? `, p99 < ${target.p99Ms} ms` : ''}`,
      verdict(endpoint.kind, result, baseline.requestsPerSecond),
    ]);
  }
  const header = ['endpoint', 'status', 'req/s', 'p50 ms', 'p99 ms', '× bare', '× bare same size', 'target', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));

  for (const server of servers.splice(0)) await server.stop();
  if (PROFILE) {
    for (const file of readdirSync(profileDir)) {
      const { self, groups, inclusive } = summariseProfile(join(profileDir, file));
      console.log(`\nprofile of the API child (${file}), whole run incl. start-up:`);
      console.log('self time by package:');
      for (const g of groups) console.log(`  ${g.share.toFixed(1).padStart(5)}%  ${g.name}`);
      console.log('self time by function:');
      for (const s of self) console.log(`  ${s.share.toFixed(1).padStart(5)}%  ${s.name}`);
      console.log('inclusive time by function:');
      for (const s of inclusive) console.log(`  ${s.share.toFixed(1).padStart(5)}%  ${s.name}`);
    }
  }
} finally {
  for (const server of servers) server.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
