import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlrn } from '../support/cli.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';
import { writeSyntheticLog } from '../support/synthetic-log.js';
import { waitFor } from '../support/wait-for.js';

/**
 * API replicas that agree (issue 15, item 4): two `dlrn api` processes and two `dlrn projector`
 * processes on the same stores (SQLite events; SQLite views, then PostgreSQL views). A vote
 * written through replica A and read back through replica B with the `X-Dlrn-Position` it
 * answered is never stale; the replicas answer byte-identical bodies; SIGKILL the active
 * projector and the standby takes over, the views moving on.
 */
const LISTENING = /api: listening on (http:\/\/[^/]+)\//;
const PG = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const AUTH = `Basic ${Buffer.from('ci:pw-ci').toString('base64')}`;
// Build 0 of the synthetic log: a success, so CI may vote on it.
const COMMIT = (1).toString(16).padStart(40, '0');
const DISTRO = 'ab'.repeat(20);
const VOTES = `/api/repo_status?commit_hash=${COMMIT}&distro_hash=${DISTRO}`;

interface Setup {
  readonly name: string;
  /** The read_model_store URL, and what to do once the test is over. */
  readonly views: (root: string) => Promise<{ url: string; drop: () => Promise<void> }>;
}

const setups: Setup[] = [
  {
    name: 'SQLite events and SQLite views on one host',
    views: async (root) => ({ url: `sqlite:///${join(root, 'views.sqlite')}`, drop: async () => undefined }),
  },
  {
    name: 'SQLite events and PostgreSQL views',
    // A database of its own: the views live in `public`, which other tests may use.
    views: async () => {
      const name = `dlrn_replicas_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: PG });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(PG);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        drop: async () => {
          const client = new pg.Client({ connectionString: PG });
          await client.connect();
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];

describe.each(setups)('two API replicas and two projectors: $name', (setup) => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-replicas-'));
  const ini = join(root, 'projects.ini');
  let drop = async (): Promise<void> => undefined;
  const processes: DlrnProcess[] = [];
  let active: DlrnProcess;
  let standby: DlrnProcess;
  let a: DlrnProcess;
  let b: DlrnProcess;
  let jobs = 0;

  /** A vote through replica A: its job id and the position it answered. */
  const vote = async (): Promise<{ job: string; position: string }> => {
    const job = `replica-job-${++jobs}`;
    const response = await fetch(`${a.url}/api/report_result`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({
        commit_hash: COMMIT,
        distro_hash: DISTRO,
        job_id: job,
        url: 'https://ci.example.org/replicas',
        timestamp: 1_700_000_000 + jobs,
        success: true,
      }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const position = response.headers.get('x-dlrn-position');
    expect(position).toMatch(/^[1-9][0-9]*$/);
    return { job, position: position! };
  };
  /** The job ids of the votes replica B shows, and its status. */
  const votesOnB = async (position?: string): Promise<{ status: number; jobs: string[]; body: string }> => {
    const response = await fetch(`${b.url}${VOTES}`, {
      headers: position === undefined ? {} : { 'x-dlrn-position': position },
    });
    const body = await response.text();
    const jobs = response.status === 200 ? (JSON.parse(body) as { job_id: string }[]).map((v) => v.job_id) : [];
    return { status: response.status, jobs, body };
  };

  beforeAll(async () => {
    const views = await setup.views(root);
    drop = views.drop;
    writeFileSync(
      ini,
      `[DEFAULT]\ndatadir=${join(root, 'data')}\nbaseurl=http://localhost/repos\ntarget=centos9\nsource=master\ndistro=rpm-master\nbuild_driver=rpmbuild\n[service]\nevent_store=sqlite:///${join(root, 'events.sqlite')}\nread_model_store=${views.url}\n`,
    );
    writeSyntheticLog(join(root, 'events.sqlite'), { builds: 200, packages: 20 });
    // Build 0's repo on disk, so that it may be promoted.
    mkdirSync(join(root, 'data', 'repos', COMMIT.slice(0, 2), COMMIT.slice(2, 4), `${COMMIT}_abababab`), {
      recursive: true,
    });
    const user = await runDlrn(['user', '--config-file', ini, 'create', '--username', 'ci', '--password', 'pw-ci']);
    expect(user.code, user.stderr).toBe(0);
    active = await startDlrn(['projector', '--config-file', ini], /projection \w+: version \d+ active/);
    processes.push(active);
    standby = await startDlrn(['projector', '--config-file', ini], /standing by/);
    processes.push(standby);
    const apis = await Promise.all(
      [0, 1].map(() => startDlrn(['api', '--config-file', ini, '--port', '0', '--host', '127.0.0.1'], LISTENING)),
    );
    processes.push(...apis);
    [a, b] = [apis[0]!, apis[1]!];
    // Caught up: the user can log in on both replicas.
    for (const replica of [a, b]) {
      await waitFor(async () => {
        const check = await fetch(`${replica.url}/api/health`, { method: 'POST', headers: { authorization: AUTH } });
        return check.status === 200 ? true : undefined;
      }, 30_000);
    }
  }, 120_000);

  afterAll(async () => {
    for (const child of processes) {
      child.child.kill('SIGCONT');
      await child.stop();
    }
    await drop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('reads every vote written through A back through B with its X-Dlrn-Position, never stale', async () => {
    let staleWithout = 0;
    const waits: number[] = [];
    for (let i = 0; i < 100; i++) {
      const { job, position } = await vote();
      if (i % 2 === 1) {
        // Without the header B answers with what its views hold now: maybe not the vote yet.
        if (!(await votesOnB()).jobs.includes(job)) staleWithout += 1;
      }
      const started = performance.now();
      const read = await votesOnB(position);
      waits.push(performance.now() - started);
      expect([read.status, read.jobs.includes(job)], `vote ${job} at ${position}: ${read.body}`).toEqual([200, true]);
    }
    waits.sort((x, y) => x - y);
    console.log(
      `${setup.name}: 100 votes through A read back through B with the header, none stale; ` +
        `reads without it: ${staleWithout} stale of 50; header reads p50 ${waits[50]!.toFixed(1)} ms, max ${waits[99]!.toFixed(1)} ms`,
    );
  }, 120_000);

  it('makes B wait for a write its views have not reached, where a read without it is stale', async () => {
    // The active projector frozen: A's write stands (its own wait gives up after 5 s).
    active.child.kill('SIGSTOP');
    try {
      const { job, position } = await vote();
      const without = await votesOnB();
      expect([without.status, without.jobs.includes(job)]).toEqual([200, false]);
      if (setup === setups[0]) {
        // Bounded: 5 s (as read-your-writes), then 503. Once is enough (it costs 5 s).
        const refused = await fetch(`${b.url}${VOTES}`, { headers: { 'x-dlrn-position': position } });
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('1');
        expect(await refused.json()).toEqual({
          message: `The views of this replica have not reached log position ${position} (X-Dlrn-Position) yet; retry`,
        });
      }
      const pending = votesOnB(position);
      await sleep(500);
      active.child.kill('SIGCONT');
      const read = await pending;
      expect([read.status, read.jobs.includes(job)]).toEqual([200, true]);
    } finally {
      active.child.kill('SIGCONT');
    }
  }, 60_000);

  it("answers the position of DLRN's other writes, which B then shows with it", async () => {
    const post = async (path: string, body: unknown): Promise<string> => {
      const response = await fetch(`${a.url}${path}`, {
        method: 'POST',
        headers: { authorization: AUTH, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      answered = await response.text();
      expect(response.status, `${path}: ${answered}`).toBe(201);
      const position = response.headers.get('x-dlrn-position');
      expect(position, path).toMatch(/^[1-9][0-9]*$/);
      return position!;
    };
    const onB = async (path: string, position: string): Promise<string> => {
      const response = await fetch(`${b.url}${path}`, { headers: { 'x-dlrn-position': position } });
      expect(response.status, path).toBe(200);
      return response.text();
    };
    let answered = '';
    const job = `claim-${setups.indexOf(setup)}`;
    const claimed = await post('/api/last_tested_repo', { max_age: 0, reporting_job_id: job });
    const claim = JSON.parse(answered) as { commit_hash: string; distro_hash: string };
    const claimVotes = JSON.parse(
      await onB(`/api/repo_status?commit_hash=${claim.commit_hash}&distro_hash=${claim.distro_hash}`, claimed),
    ) as { job_id: string; in_progress: boolean }[];
    expect(claimVotes.filter((v) => v.job_id === job && v.in_progress)).toHaveLength(1);
    const promoted = await post('/api/promote', {
      commit_hash: COMMIT,
      distro_hash: DISTRO,
      promote_name: 'replica-a',
    });
    expect(await onB('/api/promotions?promote_name=replica-a', promoted)).toContain(COMMIT);
    const batch = await post('/api/promote-batch', [
      { commit_hash: COMMIT, distro_hash: DISTRO, promote_name: 'replica-b' },
      { commit_hash: COMMIT, distro_hash: DISTRO, promote_name: 'replica-c' },
    ]);
    expect(Number(batch)).toBeGreaterThan(Number(promoted));
    expect(await onB('/api/promotions?promote_name=replica-c', batch)).toContain(COMMIT);
    // Builds 7, 27… of the synthetic log failed: package-7 may be rechecked.
    const rechecked = await post('/api/recheck_package', { package_name: 'package-7' });
    expect(Number(rechecked)).toBeGreaterThan(Number(batch));
    expect(await onB('/api/packages/package-7', rechecked)).toContain('package-7');
  }, 60_000);

  it('refuses a malformed X-Dlrn-Position with 400 naming it', async () => {
    const response = await fetch(`${b.url}${VOTES}`, { headers: { 'x-dlrn-position': 'latest' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/^X-Dlrn-Position must be a log position/);
  });

  it('answers byte-identical bodies on both replicas once caught up', async () => {
    const { position } = await vote();
    const paths = [
      VOTES,
      '/api/packages',
      '/api/builds?limit=500',
      '/api/failures',
      '/api/promotions',
      '/api/repos/current',
      '/api/last_tested_repo?max_age=0',
      '/api/metrics/builds?start_date=2000-01-01&end_date=2100-01-01',
      '/api/events?limit=50',
    ];
    for (const path of paths) {
      const headers = { 'x-dlrn-position': position };
      const [fromA, fromB] = await Promise.all([
        fetch(`${a.url}${path}`, { headers }),
        fetch(`${b.url}${path}`, { headers }),
      ]);
      const [bodyA, bodyB] = await Promise.all([fromA.text(), fromB.text()]);
      expect([fromB.status, bodyB], path).toEqual([fromA.status, bodyA]);
      expect(bodyA.length, path).toBeGreaterThan(2);
    }
  }, 60_000);

  it('keeps the views moving when the active projector is SIGKILLed: the standby takes over', async () => {
    active.child.kill('SIGKILL');
    await waitFor(async () => (/took over the projections/.test(standby.output()) ? true : undefined), 30_000);
    for (let i = 0; i < 20; i++) {
      const { job, position } = await vote();
      const read = await votesOnB(position);
      expect([read.status, read.jobs.includes(job)], `vote ${job} at ${position}`).toEqual([200, true]);
    }
    expect(standby.child.exitCode).toBeNull();
  }, 90_000);
});
