import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { commitDemoChange, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { runDlrn } from '../support/cli.js';
import { writeFile } from 'node:fs/promises';

const NEW_COMMITS_PER_PACKAGE = 4;
const REPORTS = ['status_report.html', 'status_report.csv', 'report.html', 'queue.html'];

/**
 * Issue 15, item 2: three `dlrn builder` processes started with the same projects.ini (one
 * datadir, one event store, the default builder_id) build every new commit exactly once, with
 * no git clone shared at once, no staging directory shared, valid repositories and `current` on
 * a real one; one of them SIGKILLed mid-build loses nothing: its commit is taken over (its
 * process is gone) and built once.
 */
describe('three builders on one datadir', () => {
  let root: string;
  let configFile: string;
  let outputs: string[] = [];
  let events: RecordedEvent[] = [];
  let victimPid = 0;
  let victimStream = '';
  let builderPids: number[] = [];
  let currentAfterBuilders = '';
  let lastPublishedAfterBuilders = '';
  let reportsAfterFirst: string[] = [];
  let statusAfterFirst = '';
  const eventsFile = () => join(root, 'data', 'events.sqlite');
  const reposDir = () => join(root, 'data', 'repos');
  const args = () => ['builder', '--once', '--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];

  async function readEvents(): Promise<RecordedEvent[]> {
    if (!existsSync(eventsFile())) return [];
    const store = new SqliteEventStore(eventsFile());
    try {
      return await store.readAll({ maxCount: 100_000 });
    } finally {
      await store.close();
    }
  }

  function startBuilder(): { child: ChildProcess; output: Promise<string>; code: Promise<number | null> } {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts', ...args()],
      { env: { ...process.env, DLRN_DEMO_BUILD_SECONDS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    return { child, output: code.then(() => text), code };
  }

  const holderPid = (e: RecordedEvent) => Number(/:(\d+)\)$/.exec((e.data as { builderId: string }).builderId)?.[1]);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-one-datadir-'));
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createDemoRepositories(root, start);
    configFile = await writeDemoConfig(root, packages);
    // First pass: each new package's HEAD (DLRN builds only HEAD of a package never built).
    const first = await runDlrn(args(), { env: { DLRN_DEMO_BUILD_SECONDS: '0' } });
    expect(first.code, first.stderr).toBe(0);
    reportsAfterFirst = REPORTS.filter((file) => existsSync(join(reposDir(), file)));
    statusAfterFirst = readFileSync(join(reposDir(), 'status_report.csv'), 'utf8');
    // Then several new commits per package, all to build.
    for (let k = 1; k <= NEW_COMMITS_PER_PACKAGE; k++) {
      for (const [i, pkg] of packages.entries()) {
        await commitDemoChange(pkg.upstream, `change ${k}`, start + 600 * k + i, () =>
          writeFile(join(pkg.upstream, `change-${k}.txt`), `${k}\n`),
        );
      }
    }
    const before = (await readEvents()).length;
    const builders = [startBuilder(), startBuilder(), startBuilder()];
    builderPids = builders.map((b) => b.child.pid!);
    // SIGKILL one builder while it builds (a BuildStarted of its own, no result yet).
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && victimPid === 0) {
      const log = (await readEvents()).slice(before);
      for (const claim of log.filter((e) => e.type === 'BuildClaimed')) {
        const pid = holderPid(claim);
        const ended = log.some(
          (e) => e.streamId === claim.streamId && e.position > claim.position && e.type !== 'BuildStarted',
        );
        const victim = builders.find((b) => b.child.pid === pid);
        if (victim && !ended) {
          victim.child.kill('SIGKILL');
          victimPid = pid;
          victimStream = claim.streamId;
          break;
        }
      }
      if (victimPid === 0) await sleep(50);
    }
    const survivors = builders.filter((b) => b.child.pid !== victimPid);
    for (const b of survivors) expect(await b.code).toBe(0);
    outputs = await Promise.all(builders.map((b) => b.output));
    // Before any later pass reconciles it: `current` is where the log's last publication says.
    const lastPublished = (await readEvents()).filter((e) => e.type === 'RepoPublished').at(-1);
    currentAfterBuilders = realpathSync(join(reposDir(), 'current'));
    lastPublishedAfterBuilders = realpathSync(join(reposDir(), (lastPublished!.data as { repoDir: string }).repoDir));
    // A later pass (any builder) takes over what the killed one held.
    const last = await runDlrn(args(), { env: { DLRN_DEMO_BUILD_SECONDS: '0' } });
    expect(last.code, last.stderr).toBe(0);
    outputs.push(last.stdout + last.stderr);
    events = await readEvents();
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("wrote the reports after its pass, as DLRN's run does, with no projector running", () => {
    expect(reportsAfterFirst).toEqual(REPORTS);
    // One row per package of the demo, each built (status_report.csv: DLRN's columns).
    expect(statusAfterFirst.trim().split('\n').slice(1)).toHaveLength(3);
    expect(statusAfterFirst).toContain('SUCCESS');
  });

  it('killed one builder mid-build', () => {
    expect(victimPid).toBeGreaterThan(0);
  });

  it('built every commit exactly once, the killed one taken over', () => {
    const streams = new Map<string, RecordedEvent[]>();
    for (const e of events)
      if (e.streamId.startsWith('build-')) streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
    // 3 first builds + 4 new commits × 3 packages.
    expect(streams.size).toBe(3 + 3 * NEW_COMMITS_PER_PACKAGE);
    for (const [stream, log] of streams) {
      const count = (type: string) => log.filter((e) => e.type === type).length;
      expect(count('BuildSucceeded'), stream).toBe(1);
      expect(count('BuildFailed') + count('BuildRetryScheduled'), stream).toBe(0);
      expect(count('BuildStarted'), stream).toBe(1 + count('BuildAbandoned'));
    }
    const abandoned = events.filter((e) => e.type === 'BuildAbandoned');
    expect(abandoned.map((e) => e.streamId)).toEqual([victimStream]);
    expect((abandoned[0]!.data as { reason: string }).reason).toBe('builder_stopped');
    // The work was shared: the concurrent processes built (at least two of them: one starting
    // late on a loaded machine may find everything claimed).
    const builtBy = new Set(events.filter((e) => e.type === 'BuildClaimed').map(holderPid));
    expect(builderPids.filter((pid) => builtBy.has(pid)).length).toBeGreaterThanOrEqual(2);
  });

  it('never ran git twice in one clone, never failed a publication', () => {
    const all = outputs.join('\n');
    expect(all).not.toMatch(/Another git process/);
    expect(all).not.toMatch(/does not hold the claim/);
    expect(all).not.toMatch(/createrepo_c failed/);
  });

  it('published valid repositories, `current` on a real one, nothing half-written', () => {
    const published = events
      .filter((e) => e.type === 'RepoPublished')
      .map((e) => (e.data as { repoDir: string }).repoDir);
    expect(published).toHaveLength(3 + 3 * NEW_COMMITS_PER_PACKAGE);
    for (const dir of published) expect(existsSync(join(reposDir(), dir, 'repodata', 'repomd.xml')), dir).toBe(true);
    expect(currentAfterBuilders).toBe(lastPublishedAfterBuilders);
    const current = realpathSync(join(reposDir(), 'current'));
    expect(existsSync(join(current, 'repodata', 'repomd.xml'))).toBe(true);
    expect(current).toBe(realpathSync(join(reposDir(), published.at(-1)!)));
    const leftovers: string[] = [];
    const walk = (dir: string, depth: number): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (/^\.staging-|^\.replaced-|\.old-/.test(entry.name)) leftovers.push(join(dir, entry.name));
        else if (entry.isDirectory() && depth < 3) walk(join(dir, entry.name), depth + 1);
      }
    };
    walk(reposDir(), 0);
    expect(leftovers).toEqual([]);
  });
});
