import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveredCommit } from '#domain/build/build.events.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { eventStoreTargetFromUrl, openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import {
  addCommits,
  createPostgresDatabase,
  createTinyPackages,
  readLog,
  spawnDlrn,
  writeScaleConfig,
} from '../../bench/scale-site.js';
import type { DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { createUser } from '../support/cli.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Issue 15's "Prove", in one run per store: 3 `dlrn builder` processes on one datadir, one
 * `dlrn projector` and 2 `dlrn api` replicas (docs/deployment.md's topology), events and views in
 * PostgreSQL (a database of its own, dropped afterwards), then the same with SQLite files (one
 * host). Every commit is built exactly once (read from the log, checked against each upstream's
 * `git rev-list`), one builder SIGKILLed mid-build loses nothing and doubles nothing, both
 * replicas answer byte-identical bodies on DLRN's reads once caught up, and a vote written
 * through replica A read back through B with its X-Dlrn-Position is never stale.
 *
 * Size: 30 packages, as the issue asks, but COMMITS commits each instead of 10. Measured on this
 * 2-core machine: builds of these tiny noarch packages are CPU-bound (rpmbuild, createrepo_c,
 * git); with 3 builders at once 60 builds took 43 s at load average ~2.6 (~0.7 s of the machine
 * per build, no faster than one builder: 30 took 20 s), so 30 × 10 = 300 builds alone take ~3.5 min per store, ~8 min
 * for both. 30 × 3 (90 builds per store) is the largest that keeps the file near 4 minutes on a
 * quiet machine; it took 6.7 min and 13 min while other work kept the load average at ~12
 * and ~15 (hence the generous hook timeout). `bench/scale.bench.ts --commits 9` builds the full 30 × 10;
 * so does this test with DLRN_SCALE_COMMITS=10 (run by hand: see docs/deployment.md).
 */
const PACKAGES = 30;
const COMMITS = Number(process.env['DLRN_SCALE_COMMITS'] ?? 3);
if (!Number.isInteger(COMMITS) || COMMITS < 2) throw new Error('DLRN_SCALE_COMMITS: an integer of at least 2');
const VOTES = 50;
/** Each build waits this long in %build: a window to kill one mid-build in, cheap in total. */
const BUILD_SECONDS = '0.2';
const LISTENING = /api: listening on (http:\/\/[^/]+)\//;
const AUTH = `Basic ${Buffer.from('ci:pw-ci').toString('base64')}`;

interface Stores {
  readonly eventStore: string;
  readonly readModelStore: string;
  readonly drop: () => Promise<void>;
}

const setups: { readonly name: string; readonly stores: (root: string) => Promise<Stores> }[] = [
  {
    name: 'events and views in PostgreSQL',
    stores: async () => {
      const db = await createPostgresDatabase('dlrn_scale_out');
      return { eventStore: `${db.url}?schema=dlrn_events`, readModelStore: db.url, drop: db.drop };
    },
  },
  {
    name: 'events and views in SQLite (one host)',
    stores: async (root) => ({
      eventStore: `sqlite:///${join(root, 'data', 'events.sqlite')}`,
      readModelStore: `sqlite:///${join(root, 'data', 'views.sqlite')}`,
      drop: async () => undefined,
    }),
  },
];

const holderPid = (e: RecordedEvent): number =>
  Number(/:(\d+)\)$/.exec((e.data as { builderId: string }).builderId)?.[1]);

describe.each(setups)('3 builders, a projector and 2 API replicas: $name', (setup) => {
  let root = '';
  let stores: Stores = { eventStore: '', readModelStore: '', drop: async () => undefined };
  let ini = '';
  let packages: DemoPackage[] = [];
  const services: DlrnProcess[] = [];
  let a: DlrnProcess;
  let b: DlrnProcess;
  let events: RecordedEvent[] = [];
  const outputs: string[] = [];
  const builderPids: number[] = [];
  const children: ChildProcess[] = [];
  let victimPid = 0;
  let victimStream = '';
  const builderArgs = (): string[] => ['builder', '--once', '--config-file', ini, '--info-repo', join(root, 'rdoinfo')];

  /** Three `dlrn builder --once` at once; `victim` SIGKILLs one of them mid-build. */
  async function threeBuilders(victim: boolean): Promise<void> {
    const store = await openEventStore(eventStoreTargetFromUrl(stores.eventStore, root));
    try {
      const before = await store.headPosition();
      const builders = [0, 1, 2].map(() => spawnDlrn(builderArgs(), BUILD_SECONDS));
      builderPids.push(...builders.map((x) => x.child.pid!));
      children.push(...builders.map((x) => x.child));
      if (victim) {
        // A BuildStarted of one of them, with no result after it yet: SIGKILL that one.
        const log: RecordedEvent[] = [];
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline && victimPid === 0) {
          log.push(...(await store.readAll({ after: log.at(-1)?.position ?? before, maxCount: 5000 })));
          const last = new Map(log.map((e) => [e.streamId, e]));
          for (const started of last.values()) {
            if (started.type !== 'BuildStarted') continue;
            const claim = log.findLast((e) => e.streamId === started.streamId && e.type === 'BuildClaimed');
            const target = builders.find((x) => claim !== undefined && x.child.pid === holderPid(claim));
            if (target && target.child.exitCode === null) {
              target.child.kill('SIGKILL');
              victimPid = target.child.pid!;
              victimStream = started.streamId;
              break;
            }
          }
          if (victimPid === 0) await sleep(50);
        }
        expect(victimPid, 'no builder seen mid-build').toBeGreaterThan(0);
      }
      for (const x of builders) {
        const code = await x.code;
        outputs.push(x.output());
        if (x.child.pid !== victimPid) expect(code, x.output().slice(-3000)).toBe(0);
      }
    } finally {
      await store.close();
    }
  }

  const get = async (replica: DlrnProcess, path: string, position: string): Promise<Response> =>
    fetch(`${replica.url}${path}`, { headers: { 'x-dlrn-position': position } });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-scale-out-'));
    stores = await setup.stores(root);
    const start = Math.floor(Date.now() / 1000) - 86_400;
    packages = await createTinyPackages(root, PACKAGES, start);
    ini = await writeScaleConfig(root, packages, stores);
    const user = await createUser(ini, 'ci', 'pw-ci');
    expect(user.code, user.stderr).toBe(0);
    services.push(await startDlrn(['projector', '--config-file', ini], /projection \w+: version \d+ active/));
    const apis = await Promise.all(
      [0, 1].map(() => startDlrn(['api', '--config-file', ini, '--port', '0', '--host', '127.0.0.1'], LISTENING)),
    );
    services.push(...apis);
    [a, b] = [apis[0]!, apis[1]!];
    // First pass: each new package's HEAD (DLRN builds only HEAD of a package never built).
    await threeBuilders(false);
    for (let k = 1; k < COMMITS; k++) await addCommits(packages, k, start);
    // The other commits, one builder SIGKILLed mid-build; a later pass takes its commit over.
    await threeBuilders(true);
    const last = spawnDlrn(builderArgs(), '0');
    children.push(last.child);
    expect(await last.code, last.output().slice(-3000)).toBe(0);
    outputs.push(last.output());
    events = await readLog(stores.eventStore, root);
  }, 240_000 * COMMITS);

  afterAll(async () => {
    // A failed setup may leave builders running: none outlives the test.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const service of services) await service.stop();
    await stores.drop();
    if (root !== '') rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('built every upstream commit exactly once, the killed builder’s commit taken over', async () => {
    const streams = new Map<string, RecordedEvent[]>();
    for (const e of events)
      if (e.streamId.startsWith('build-')) streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
    const built: string[] = [];
    for (const [stream, log] of streams) {
      const count = (type: string): number => log.filter((e) => e.type === type).length;
      expect(count('BuildSucceeded'), stream).toBe(1);
      expect(count('BuildFailed') + count('BuildRetryScheduled'), stream).toBe(0);
      expect(count('BuildStarted'), stream).toBe(1 + count('BuildAbandoned'));
      const commit = log.find((e) => e.type === 'CommitDiscovered')!.data as DiscoveredCommit;
      built.push(`${commit.package} ${commit.commitHash}`);
    }
    // What git says was committed: every one of them, once.
    const committed: string[] = [];
    for (const pkg of packages) {
      const { stdout } = await promisify(execFile)('git', ['rev-list', 'master'], { cwd: pkg.upstream });
      committed.push(
        ...stdout
          .trim()
          .split('\n')
          .map((hash) => `${pkg.name} ${hash}`),
      );
    }
    expect(committed).toHaveLength(PACKAGES * COMMITS);
    expect(built.sort()).toEqual(committed.sort());
    const abandoned = events.filter((e) => e.type === 'BuildAbandoned');
    expect(abandoned.map((e) => e.streamId)).toEqual([victimStream]);
    expect((abandoned[0]!.data as { reason: string }).reason).toBe('builder_stopped');
    // The work was shared: at least two of the concurrent processes built.
    const builtBy = new Set(events.filter((e) => e.type === 'BuildClaimed').map(holderPid));
    expect(builderPids.filter((pid) => builtBy.has(pid)).length).toBeGreaterThanOrEqual(2);
    expect(builtBy.has(victimPid)).toBe(true);
  });

  it('never ran git twice in one clone, never failed a publication; `current` on the last one', () => {
    const all = outputs.join('\n');
    expect(all).not.toMatch(/Another git process/);
    expect(all).not.toMatch(/does not hold the claim/);
    expect(all).not.toMatch(/createrepo_c failed/);
    const published = events.filter((e) => e.type === 'RepoPublished');
    expect(published).toHaveLength(PACKAGES * COMMITS);
    const repos = join(root, 'data', 'repos');
    const lastDir = (published.at(-1)!.data as { repoDir: string }).repoDir;
    expect(realpathSync(join(repos, 'current'))).toBe(realpathSync(join(repos, lastDir)));
    expect(existsSync(join(repos, 'current', 'repodata', 'repomd.xml'))).toBe(true);
  });

  it('answers byte-identical bodies on both replicas once caught up', async () => {
    // A promotion through A of the last commit built; read everywhere at the position it answered.
    const commit = events.findLast((e) => e.type === 'CommitDiscovered')!.data as DiscoveredCommit;
    const promoted = await fetch(`${a.url}/api/promote`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({
        commit_hash: commit.commitHash,
        distro_hash: commit.distroHash,
        promote_name: 'scale-ok',
      }),
    });
    expect(promoted.status, await promoted.clone().text()).toBe(201);
    const position = promoted.headers.get('x-dlrn-position')!;
    expect(Number(position)).toBeGreaterThan(events.at(-1)!.position);
    // Caught up: each replica's views past it (a read with the header waits 5 s at most, then
    // answers 503: ask again).
    for (const replica of [a, b]) {
      await waitFor(async () => ((await get(replica, '/api/packages', position)).status === 200 ? true : undefined));
    }
    const paths = [
      '/api/packages',
      '/api/packages/tiny-07',
      '/api/packages/tiny-07/builds',
      '/api/builds?limit=500',
      '/api/failures',
      '/api/queue',
      '/api/promotions',
      '/api/repos/current',
      '/api/repos/scale-ok',
      '/api/last_tested_repo?max_age=0',
      `/api/repo_status?commit_hash=${commit.commitHash}&distro_hash=${commit.distroHash}`,
      '/api/metrics/builds?start_date=2000-01-01&end_date=2100-01-01',
      '/api/events?limit=100',
      '/api/status_report.csv',
      '/api/report.html',
    ];
    for (const path of paths) {
      const [fromA, fromB] = await Promise.all([get(a, path, position), get(b, path, position)]);
      const [bodyA, bodyB] = await Promise.all([fromA.text(), fromB.text()]);
      expect([fromA.status, bodyA.length > 2], `${path}: ${bodyA.slice(0, 300)}`).toEqual([200, true]);
      expect([fromB.status, bodyB], path).toEqual([fromA.status, bodyA]);
    }
    // The views agree with the log: every build a success.
    const metrics = await get(b, '/api/metrics/builds?start_date=2000-01-01&end_date=2100-01-01', position);
    expect(await metrics.json()).toEqual({ succeeded: PACKAGES * COMMITS, failed: 0, total: PACKAGES * COMMITS });
    expect(await (await get(b, '/api/promotions?promote_name=scale-ok', position)).text()).toContain(commit.commitHash);
  }, 120_000);

  it(`reads ${VOTES} votes written through A back through B with X-Dlrn-Position, never stale`, async () => {
    const builds = events.filter((e) => e.type === 'CommitDiscovered').map((e) => e.data as DiscoveredCommit);
    let staleWithout = 0;
    for (let i = 0; i < VOTES; i++) {
      const commit = builds[(i * 7) % builds.length]!;
      const job = `scale-job-${i}`;
      const written = await fetch(`${a.url}/api/report_result`, {
        method: 'POST',
        headers: { authorization: AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({
          commit_hash: commit.commitHash,
          distro_hash: commit.distroHash,
          job_id: job,
          url: 'https://ci.example.org/scale',
          timestamp: 1_700_000_000 + i,
          success: true,
        }),
      });
      expect(written.status, await written.clone().text()).toBe(201);
      const position = written.headers.get('x-dlrn-position');
      expect(position).toMatch(/^[1-9][0-9]*$/);
      const path = `/api/repo_status?commit_hash=${commit.commitHash}&distro_hash=${commit.distroHash}`;
      if (i % 2 === 1) {
        const without = await fetch(`${b.url}${path}`);
        const jobs =
          without.status === 200 ? ((await without.json()) as { job_id: string }[]).map((v) => v.job_id) : [];
        if (!jobs.includes(job)) staleWithout += 1;
      }
      const read = await get(b, path, position!);
      const body = await read.text();
      const jobs = read.status === 200 ? (JSON.parse(body) as { job_id: string }[]).map((v) => v.job_id) : [];
      expect([read.status, jobs.includes(job)], `vote ${job} at ${position}: ${body}`).toEqual([200, true]);
    }
    console.log(
      `${setup.name}: ${VOTES} votes through A read back through B with the header, none stale; ` +
        `without it ${staleWithout} of ${VOTES / 2} stale`,
    );
  }, 120_000);
});
