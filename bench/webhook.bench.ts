/**
 * Latency from a push to its build (issue 18, item 1): for a trivial package (the demo's
 * python-greeting, a noarch rpmbuild), from the moment the upstream commit exists to
 * `BuildStarted` and to `RepoPublished` of that commit, over N runs, two ways:
 *   - webhook: `dlrn builder` with poll_interval=86400 and the API in this process; each run
 *     commits, then POSTs a signed GitHub push to /api/webhooks/github;
 *   - poll (the baseline, as DLRN works): `dlrn builder` with poll_interval=--poll seconds; each
 *     run commits and waits. Its latency scales with poll_interval (60 s by default): about half
 *     of it on average, all of it at worst.
 * Times are the store's commit times of the events minus the commit time; p50/p99 printed.
 * Target (issue 18): webhook p99 to BuildStarted < 1 s. Nothing is asserted.
 *   node --conditions=source --import @swc-node/register/esm-register bench/webhook.bench.ts [--runs 10] [--poll 5]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiApp } from '../apps/api/src/api.app.js';
import { commitDemoChange, createDemoRepositories, writeDemoConfig } from '../apps/cli/src/demo/demo-example.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, poll: { type: 'string', default: '5' } },
});
const RUNS = Number(values.runs);
const POLL = Number(values.poll);
const SECRET = 'bench-webhook-secret-0123456789';

interface Sample {
  readonly started: number;
  readonly published: number;
  /** Webhook runs: PushReceived recorded, then the commit discovered by the woken pass. */
  readonly recorded?: number;
  readonly discovered?: number;
}

function startBuilder(configFile: string, infoRepo: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      '@swc-node/register/esm-register',
      'apps/cli/src/main.ts',
      'builder',
      '--config-file',
      configFile,
      '--info-repo',
      infoRepo,
    ],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  return new Promise((ready, fail) => {
    let out = '';
    // The builder's progress is its log, on stderr.
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('builder: pass 1 done')) ready(child);
    });
    child.once('exit', (code) => fail(new Error(`builder exited ${code}:\n${out}`)));
  });
}

/** The store's commit times of the commit's BuildStarted and RepoPublished, once both are there. */
async function waitForBuild(
  store: SqliteEventStore,
  after: number,
  commit: string,
): Promise<{ started: string; published: string; discovered: string; pushed?: string }> {
  const deadline = Date.now() + 10 * 60_000;
  let seen: RecordedEvent[] = [];
  for (;;) {
    seen = [...seen, ...(await store.readAll({ after: seen.at(-1)?.position ?? after, maxCount: 10_000 }))];
    const discovered = seen.find(
      (e) => e.type === 'CommitDiscovered' && (e.data as { commitHash: string }).commitHash === commit,
    );
    const started = seen.find((e) => e.type === 'BuildStarted' && e.streamId === discovered?.streamId);
    const published = seen.find(
      (e) => e.type === 'RepoPublished' && (e.data as { commitHash: string }).commitHash === commit,
    );
    const pushed = seen.find((e) => e.type === 'PushReceived');
    if (started && published)
      return {
        started: started.recordedAt,
        published: published.recordedAt,
        discovered: discovered!.recordedAt,
        ...(pushed ? { pushed: pushed.recordedAt } : {}),
      };
    if (Date.now() > deadline) throw new Error(`no build of ${commit} within 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function scenario(way: 'webhook' | 'poll'): Promise<Sample[]> {
  const root = mkdtempSync(join(tmpdir(), `dlrn-webhook-bench-${way}-`));
  let builder: ChildProcess | undefined;
  let api: Awaited<ReturnType<typeof createApiApp>> | undefined;
  try {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    const infoRepo = join(root, 'rdoinfo');
    appendFileSync(
      configFile,
      `\n[service]\npoll_interval=${way === 'webhook' ? 86_400 : POLL}\n\n[webhooks]\ngithub_secret=${SECRET}\n`,
    );
    builder = await startBuilder(configFile, infoRepo);
    let base = '';
    if (way === 'webhook') {
      const loadPackages = async () => (await loadConfiguration({ configFile, infoRepo })).packages;
      api = await createApiApp(loadProjectsIni(configFile), { logLevel: 'silent', loadPackages });
      await api.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
    }
    const greeting = packages.find((p) => p.project === 'greeting')!;
    const store = new SqliteEventStore(join(root, 'data', 'events.sqlite'));
    const samples: Sample[] = [];
    let committedAt = Math.floor(Date.now() / 1000);
    try {
      for (let run = 1; run <= RUNS; run++) {
        const after = await store.headPosition();
        // A second apart at least: a commit in the same second as the last one built is outside
        // the discovery window (DLRN's --after=dt_commit), so a fast run would wait for ever.
        committedAt = Math.max(committedAt + 1, Math.floor(Date.now() / 1000));
        await commitDemoChange(greeting.upstream, `change ${run}`, committedAt, () =>
          writeFileSync(join(greeting.upstream, `change-${run}.txt`), `${run}\n`),
        );
        const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: greeting.upstream }).toString().trim();
        const t0 = Date.now();
        if (way === 'webhook') {
          const body = JSON.stringify({
            ref: 'refs/heads/master',
            after: head,
            repository: { clone_url: `file://${greeting.upstream}` },
          });
          const answer = await fetch(`${base}/api/webhooks/github`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-github-event': 'push',
              'x-github-delivery': `bench-${run}`,
              'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
            },
            body,
          });
          if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${await answer.text()}`);
        }
        const times = await waitForBuild(store, after, head);
        samples.push({
          started: Date.parse(times.started) - t0,
          published: Date.parse(times.published) - t0,
          discovered: Date.parse(times.discovered) - t0,
          ...(times.pushed === undefined ? {} : { recorded: Date.parse(times.pushed) - t0 }),
        });
        process.stdout.write('.');
      }
    } finally {
      await store.close();
    }
    process.stdout.write('\n');
    return samples;
  } finally {
    builder?.kill('SIGTERM');
    if (builder && builder.exitCode === null) await new Promise((resolve) => builder!.once('exit', resolve));
    await api?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const line = (way: string, samples: readonly Sample[]) => {
  const ms = (key: 'started' | 'published', p: number) =>
    `${percentile(
      samples.map((s) => s[key]),
      p,
    )
      .toFixed(0)
      .padStart(6)} ms`;
  return `${way.padEnd(28)} BuildStarted p50 ${ms('started', 50)} p99 ${ms('started', 99)}   RepoPublished p50 ${ms('published', 50)} p99 ${ms('published', 99)}`;
};

console.log(`${RUNS} runs each; one new upstream commit of python-greeting per run`);
const webhook = await scenario('webhook');
const poll = await scenario('poll');
console.log(line('webhook (poll_interval 1 day)', webhook));
console.log(line(`poll (poll_interval ${POLL} s)`, poll));
const p50 = (key: 'recorded' | 'discovered') =>
  percentile(
    webhook.map((s) => s[key] ?? NaN),
    50,
  ).toFixed(0);
console.log(
  `webhook p50 breakdown: PushReceived recorded ${p50('recorded')} ms, commit discovered ${p50('discovered')} ms`,
);
console.log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)}`);
const p99 = percentile(
  webhook.map((s) => s.started),
  99,
);
console.log(`target: webhook p99 to BuildStarted < 1000 ms: ${p99 < 1000 ? 'met' : 'NOT met'} (${p99.toFixed(0)} ms)`);
