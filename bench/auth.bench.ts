/**
 * Logins, measured on a real `dlrn serve --no-builder` behind a trusted proxy (each sample speaks
 * for its own client through X-Forwarded-For, so the failed-login limits stay out of the way):
 * the cost of a failed and of a successful login, for scrypt users, DLRN's `$6$` users (passlib's
 * 656,000 rounds) and unknown names; then the main thread's availability while a burst of logins
 * is being hashed: the latency of anonymous `GET /api/health`, with no burst (the baseline) and
 * during the burst. Also, for comparison, the same `$6$` checks on this process's own main thread
 * (how they ran before the password threads) and what they did to its event loop. Prints figures;
 * asserts nothing.
 *   npm run bench:auth
 *   BENCH_AUTH_SAMPLES=5 npm run bench:auth      quicker
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeDemoConfig } from '../apps/cli/src/demo/demo-example.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import type { EventPayload } from '#domain/shared/event.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { userStreamId } from '#domain/user/user.events.js';
import { hashPassword, verifyPassword } from '#infrastructure/auth/password-hasher.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { startDlrn, type DlrnProcess } from '../test/support/dlrn-process.js';

// Bench knobs, read here only (the service's config never comes from the environment).
const SAMPLES = Number(process.env['BENCH_AUTH_SAMPLES'] ?? 10);
/** passlib's default for DLRN's users: 656,000 rounds. */
const DLRN_HASH = {
  password: 'dlrn-password',
  hash: '$6$rounds=656000$Ab3Cd4Ef5Gh6Ij7K$8G3JnVloOqZRRpMrER/RNG2VoeL8qCkR2v62g3pW/u4mQYJzIAxklJ1zlclr/xHOSQhthqW5sCqe38OrEFi76.',
};
/** Each `$6$` user succeeds once with `$6$`: the server then stores it as scrypt. */
const LEGACY_USERS = Math.max(2, Math.ceil(SAMPLES / 3));

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let clients = 0;
/** A fresh client address for every sample: 10.x.y.z, through the trusted proxy. */
const nextClient = (): string => {
  const n = ++clients;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

async function timed(server: DlrnProcess, authorization: string): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const response = await fetch(`${server.url}/api/health`, {
    method: 'POST',
    headers: { authorization, 'x-forwarded-for': nextClient() },
  });
  await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status };
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(2));

async function sample(
  label: string,
  count: number,
  next: (i: number) => Promise<{ ms: number; status: number }>,
): Promise<string[]> {
  const times: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < count; i++) {
    const { ms: took, status } = await next(i);
    times.push(took);
    statuses.add(status);
  }
  return [label, [...statuses].join(','), String(count), ms(quantile(times, 0.5)), ms(Math.max(...times))];
}

/** Anonymous GETs, 4 at a time, for `durationMs` or until `until` settles: their latencies. */
async function probeGets(server: DlrnProcess, until: Promise<unknown> | number): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  if (typeof until === 'number') setTimeout(() => (done = true), until);
  else void until.finally(() => (done = true));
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!done) {
        const start = performance.now();
        const response = await fetch(`${server.url}/api/health`);
        await response.arrayBuffer();
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies;
}

function table(header: readonly string[], rows: readonly string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

async function seedUsers(configFile: string, scryptUsers: number): Promise<void> {
  const events = await openEventStore(loadProjectsIni(configFile).service.eventStoreTarget);
  const deps = { ids: new UuidV7IdGenerator(), clock: new SystemClock(), schemaVersion: schemaVersionOf };
  const create = async (username: string, passwordHash: string): Promise<void> => {
    const payload: EventPayload = { type: 'UserCreated', data: { username, passwordHash } };
    await events.append(
      userStreamId(username),
      stampEvents([payload], { correlationId: 'bench', causationId: null, actor: 'bench' }, deps),
    );
  };
  for (let i = 0; i < scryptUsers; i++) await create(`ci-${i}`, await hashPassword(`pw-${i}`));
  for (let i = 0; i < LEGACY_USERS; i++) await create(`legacy-${i}`, DLRN_HASH.hash);
  // Never logs in successfully, so it keeps its `$6$` hash for the burst.
  await create('legacy-burst', DLRN_HASH.hash);
  await events.close();
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-bench-auth-'));
  let server: DlrnProcess | undefined;
  try {
    const configFile = await writeDemoConfig(root, []);
    appendFileSync(configFile, '\n[service]\ntrusted_proxies=127.0.0.1, ::1\n');
    await seedUsers(configFile, SAMPLES);
    server = await startDlrn(
      ['serve', '--config-file', configFile, '--no-builder', '--port', '0'],
      /api: listening on (http:\/\/[^/]+)\//,
    );
    const live = server;
    for (let i = 0; (await timed(live, basic('ci-0', 'pw-0'))).status !== 200; i++) {
      if (i > 100) throw new Error('the users never reached the views');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(
      `POST /api/health with Basic credentials, one at a time, ${SAMPLES} samples (2 cores shared: figures are noisy)`,
    );
    table(
      ['login', 'status', 'n', 'p50 ms', 'max ms'],
      [
        await sample('failed, scrypt user', SAMPLES, () => timed(live, basic('ci-0', 'wrong'))),
        await sample('failed, unknown user', SAMPLES, (i) => timed(live, basic(`nobody-${i}`, 'wrong'))),
        // ci-0 succeeded while waiting for the views: its credentials are remembered.
        await sample('succeeded, scrypt, first', SAMPLES - 1, (i) => timed(live, basic(`ci-${i + 1}`, `pw-${i + 1}`))),
        await sample('succeeded, remembered', SAMPLES, () => timed(live, basic('ci-0', 'pw-0'))),
        await sample('failed, $6$ user (656,000 rounds)', LEGACY_USERS, () => timed(live, basic('legacy-0', 'wrong'))),
        await sample('failed, $6$ user, 256-byte password', 2, () => timed(live, basic('legacy-0', 'x'.repeat(256)))),
        await sample('failed, 1,000-char password (refused unhashed)', SAMPLES, () =>
          timed(live, basic('legacy-0', 'x'.repeat(1000))),
        ),
        await sample('succeeded, $6$, first (then rehashed)', LEGACY_USERS, (i) =>
          timed(live, basic(`legacy-${i}`, DLRN_HASH.password)),
        ),
      ],
    );

    // The burst: 24 `$6$` guesses with 256-byte passwords and 24 unknown users, from 48 clients.
    const baseline = await probeGets(live, 3_000);
    const statuses = new Map<number, number>();
    const burst = Promise.all(
      Array.from({ length: 48 }, (_, i) =>
        timed(live, i % 2 === 0 ? basic('legacy-burst', `${'y'.repeat(250)}${i}`) : basic(`ghost-${i}`, 'guess')).then(
          ({ status }) => statuses.set(status, (statuses.get(status) ?? 0) + 1),
        ),
      ),
    );
    const started = performance.now();
    const during = await probeGets(live, burst);
    const burstMs = performance.now() - started;
    console.log(
      `\nAnonymous GET /api/health, 4 at a time, while 48 parallel logins (24 × $6$ with 256-byte passwords, 24 unknown users) are checked in ${ms(burstMs)} ms; answers ${[...statuses].map(([s, n]) => `${n} × ${s}`).join(', ')}`,
    );
    table(
      ['GET /api/health', 'requests', 'p50 ms', 'p99 ms', 'max ms'],
      [baseline, during].map((latencies, i) => [
        i === 0 ? 'no burst (baseline, 3 s)' : 'during the burst',
        String(latencies.length),
        ms(quantile(latencies, 0.5)),
        ms(quantile(latencies, 0.99)),
        ms(Math.max(...latencies)),
      ]),
    );

    // Before the password threads: the same `$6$` checks on a main thread (this one).
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const mainStart = performance.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => verifyPassword(`${'z'.repeat(250)}${i}`, DLRN_HASH.hash)));
    const mainMs = performance.now() - mainStart;
    delay.disable();
    console.log(
      `\nFor comparison, 6 such $6$ checks on a main thread (as before): ${ms(mainMs)} ms, its event loop delayed p99 ${ms(delay.percentile(99) / 1e6)} ms, max ${ms(delay.max / 1e6)} ms`,
    );
  } finally {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
