import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';
import { logProblems } from '../support/log-records.js';

/**
 * Kill the builder with SIGKILL at several moments of a pass, restart it each time, and check
 * that the log and the repositories end up as if nothing had happened: every commit built
 * once, every record once, pointers on complete repositories, no half-written directory left.
 */
describe('a builder killed with SIGKILL and restarted', () => {
  let root: string;
  let configFile: string;
  let events: RecordedEvent[];
  const eventsFile = () => join(root, 'data', 'events.sqlite');
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

  function startBuilder(seconds: number): ChildProcess {
    return spawn(process.execPath, dlrnArgs(args()), {
      env: { ...process.env, DLRN_DEMO_BUILD_SECONDS: String(seconds) },
      stdio: 'ignore',
    });
  }

  /** Starts a slow builder and kills it once `moment` holds for the event log. */
  async function killWhen(moment: (events: RecordedEvent[]) => boolean): Promise<void> {
    const child = startBuilder(2);
    const exited = new Promise((done) => child.on('exit', done));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !moment(await readEvents())) await sleep(50);
    child.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-crash-'));
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
    const count = (type: string) => (log: RecordedEvent[]) => log.filter((e) => e.type === type).length;
    // 1: in the middle of the first build; 2: after a publication, during the next build.
    await killWhen((log) => count('BuildStarted')(log) >= 1);
    await killWhen(
      (log) =>
        count('RepoPublished')(log) >= 1 &&
        count('BuildStarted')(log) > count('BuildSucceeded')(log) + count('BuildAbandoned')(log),
    );
    const final = await runDlrn(args(), { env: { DLRN_DEMO_BUILD_SECONDS: '0' } });
    expect(logProblems(final.stderr)).toEqual([]);
    expect(final.code).toBe(0);
    events = await readEvents();
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('was really interrupted: abandoned claims were taken over', () => {
    const abandoned = events.filter((e) => e.type === 'BuildAbandoned');
    expect(abandoned.length).toBeGreaterThanOrEqual(2);
    expect(abandoned.every((e) => (e.data as { reason: string }).reason === 'builder_stopped')).toBe(true);
  });

  it('built every commit exactly once and recorded every fact once', () => {
    const streams = new Set(events.filter((e) => e.type === 'CommitDiscovered').map((e) => e.streamId));
    expect(streams.size).toBe(3);
    for (const stream of streams) {
      const types = events.filter((e) => e.streamId === stream).map((e) => e.type);
      expect(types.filter((t) => t === 'CommitDiscovered')).toHaveLength(1);
      expect(types.filter((t) => t === 'BuildSucceeded')).toHaveLength(1);
      expect(types.filter((t) => t === 'RepoPublished')).toHaveLength(1);
      expect(types.at(-1)).toBe('RepoPublished');
    }
    expect(new Set(events.map((e) => e.metadata.eventId)).size).toBe(events.length);
  });

  it('points current and consistent at a complete repository holding all three packages', () => {
    const repos = join(root, 'data', 'repos');
    for (const pointer of ['current', 'consistent']) {
      const dir = join(repos, readlinkSync(join(repos, pointer)));
      expect(existsSync(join(dir, 'repodata', 'repomd.xml'))).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.noarch.rpm'))).toHaveLength(3);
    }
  });

  it('left no half-written directory behind', () => {
    const leftovers = readdirSync(join(root, 'data', 'repos'), { recursive: true })
      .map(String)
      .filter((p) => /\.staging-|\.old-|_$/.test(p));
    expect(leftovers).toEqual([]);
  });
});
