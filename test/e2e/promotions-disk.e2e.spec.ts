import { spawn, type ChildProcess } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PromotionEvent } from '#domain/promotion/promotion.events.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';
import { canMountTmpfs, fillDisk, mountTmpfs } from '../support/tmpfs.js';
import { writeSyntheticLog } from '../support/synthetic-log.js';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** Starts `dlrn <args>`; resolves once its output matches `ready` (group 1: the URL), or at once. */
function start(args: readonly string[], ready: RegExp | null): Promise<Started> {
  const child = spawn(process.execPath, dlrnArgs(args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Always drain both pipes: a child writing to a full pipe would block.
  const listeners: ((text: string) => void)[] = [(text) => (out += text)];
  child.stdout!.on('data', (chunk: Buffer) => listeners.forEach((l) => l(chunk.toString())));
  child.stderr!.on('data', (chunk: Buffer) => listeners.forEach((l) => l(chunk.toString())));
  if (ready === null) return Promise.resolve({ child, url: '', output: () => out });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s:\n${out}`)), 60_000);
    listeners.push(() => {
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] ?? '', output: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${out}`)));
  });
}

async function stop(started: Started | undefined): Promise<void> {
  if (started === undefined || started.child.exitCode !== null) return;
  const exited = new Promise((done) => started.child.once('exit', done));
  started.child.kill('SIGTERM');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const AUTH = { authorization: `Basic ${Buffer.from('ci:secret').toString('base64')}` };
const API_READY = /api: listening on (http:\/\/[^/]+)\//;

/** The synthetic log's successful builds: b % 10 < 7, hashes as `writeSyntheticLog` makes them. */
const BUILDS = [0, 1, 2, 3, 4, 5, 6].map((b) => {
  const commitHash = (b + 1).toString(16).padStart(40, '0');
  return {
    commit_hash: commitHash,
    distro_hash: 'ab'.repeat(20),
    repoDir: `${commitHash.slice(0, 2)}/${commitHash.slice(2, 4)}/${commitHash}_abababab`,
  };
});
const hashesOf = (i: number) => ({ commit_hash: BUILDS[i]!.commit_hash, distro_hash: BUILDS[i]!.distro_hash });

/**
 * Promotion links against real `dlrn api` processes sharing one datadir and one event store:
 * the log decides, links follow it, a reconciler repairs them at start, and names that would
 * collide with files the service owns are refused.
 */
describe('promotion links follow the log', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-promote-disk-'));
  const eventsFile = join(root, 'events.sqlite');
  const configFile = join(root, 'projects.ini');
  const repos = join(root, 'data', 'repos');
  let projector: Started | undefined;
  let replicaA: Started | undefined;
  let replicaB: Started | undefined;
  // A real small file system where this machine allows one, to fill it up in a test.
  let unmount = (): void => undefined;

  const promote = async (url: string, body: unknown, path = '/api/promote') => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };

  /** The log's word on a promotion name: where its stream's newest event points it. */
  const loggedTarget = async (name: string): Promise<string | null> => {
    const store = new SqliteEventStore(eventsFile);
    try {
      const [last] = await store.readStream(`promotion-${name}`, { direction: 'backwards', maxCount: 1 });
      return last === undefined ? null : (last as unknown as PromotionEvent).data.repoDir;
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    if (canMountTmpfs) unmount = mountTmpfs(root, 64);
    writeFileSync(
      configFile,
      [
        '[DEFAULT]',
        `datadir=${join(root, 'data')}`,
        'baseurl=http://localhost/repos',
        'target=centos9',
        'source=master',
        'distro=rpm-master',
        'build_driver=rpmbuild',
        '[service]',
        `event_store=sqlite:///${eventsFile}`,
        `read_model_store=sqlite:///${join(root, 'views.sqlite')}`,
        '',
      ].join('\n'),
    );
    // Ten builds, seven of them successful, and one promotion: current-passed-ci → build 1.
    writeSyntheticLog(eventsFile, { builds: 10 });
    for (const build of BUILDS) mkdirSync(join(repos, build.repoDir), { recursive: true });
    writeFileSync(join(repos, 'skiplist.txt'), 'keep me\n');
    // A link the log does not agree with, as a crash between move and append left it.
    symlinkSync(BUILDS[4]!.repoDir, join(repos, 'current-passed-ci'));
    const user = await runDlrn([
      'user',
      '--config-file',
      configFile,
      'create',
      '--username',
      'ci',
      '--password',
      'secret',
    ]);
    expect(user.code, user.stderr).toBe(0);
    const once = await runDlrn(['projector', '--once', '--config-file', configFile]);
    expect(once.code, once.stderr).toBe(0);
    // The API waits (boundedly) for the views after each write: a projector keeps them current.
    projector = await start(['projector', '--config-file', configFile], null);
    [replicaA, replicaB] = await Promise.all([
      start(['api', '--config-file', configFile, '--port', '0'], API_READY),
      start(['api', '--config-file', configFile, '--port', '0'], API_READY),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([stop(replicaA), stop(replicaB), stop(projector)]);
    unmount();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  describe('when the API starts with a promotion link the log disagrees with', () => {
    it('points the link back where the log says', () => {
      expect(readlinkSync(join(repos, 'current-passed-ci'))).toBe(BUILDS[1]!.repoDir);
    });
  });

  describe('when a name ends with `_` (the temporary name of a link being moved)', () => {
    it('refuses it as reserved (403) and leaves the pointer it shadows alone', async () => {
      for (const name of ['foo_', 'current_', 'consistent_', 'current-passed-ci_']) {
        const answer = await promote(replicaA!.url, { ...hashesOf(0), promote_name: name });
        expect([answer.status, JSON.parse(answer.text)]).toEqual([403, { message: `Invalid promote_name ${name}` }]);
        expect(lstatSafe(join(repos, name))).toBe(false);
      }
      const batch = await promote(
        replicaA!.url,
        [
          { ...hashesOf(0), promote_name: 'fine' },
          { ...hashesOf(0), promote_name: 'x_' },
        ],
        '/api/promote-batch',
      );
      expect([batch.status, JSON.parse(batch.text)]).toEqual([403, { message: 'Invalid promote_name x_' }]);
      expect(lstatSafe(join(repos, 'fine'))).toBe(false);
    });
  });

  describe('when a file or directory of that name exists in the repos directory', () => {
    it('refuses the name (403) without naming a server path, and leaves the file alone', async () => {
      for (const name of ['00', 'skiplist.txt']) {
        const answer = await promote(replicaA!.url, { ...hashesOf(0), promote_name: name });
        expect(answer.status).toBe(403);
        expect(JSON.parse(answer.text).message).toMatch(
          new RegExp(`^Invalid promote_name ${name.replace('.', '\\.')}`),
        );
        expect(answer.text).not.toContain(root);
        expect(answer.text).not.toMatch(/\/(tmp|data|repos)\//);
      }
      expect(lstatSync(join(repos, '00')).isDirectory()).toBe(true);
      expect(lstatSync(join(repos, 'skiplist.txt')).isFile()).toBe(true);
    });
  });

  describe('when two replicas promote one name 80 times at once', () => {
    it('answers every request, and the link ends where the log last put it', async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 80; round++) {
        const answers = await Promise.all([
          promote(replicaA!.url, { ...hashesOf(round % 7), promote_name: 'raced' }),
          promote(replicaB!.url, { ...hashesOf((round + 3) % 7), promote_name: 'raced' }),
        ]);
        statuses.push(...answers.map((a) => a.status));
      }
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      // Serialized by the stream: every request recorded once, each knowing what it replaced.
      const store = new SqliteEventStore(eventsFile);
      const stream = (await store.readStream('promotion-raced')) as unknown as (PromotionEvent & {
        revision: number;
      })[];
      await store.close();
      expect(stream).toHaveLength(160);
      const chain = stream.map((e, i) => (i === 0 ? null : stream[i - 1]!.data.repoDir));
      expect(stream.map((e) => (e.type === 'RepoPromoted' ? e.data.previousRepoDir : 'rolled back'))).toEqual(chain);
      const logged = await loggedTarget('raced');
      expect(logged).not.toBeNull();
      expect(readlinkSync(join(repos, 'raced'))).toBe(logged);
      // No temporary link left behind by an interrupted move.
      expect(readdirSync(repos).filter((n) => n.startsWith('raced') && n !== 'raced')).toEqual([]);
    }, 240_000);
  });

  describe('when the event store refuses the append', () => {
    it('answers a clear error and moves no link', async () => {
      const first = await promote(replicaA!.url, { ...hashesOf(2), promote_name: 'before-failure' });
      expect(first.status).toBe(201);
      // The store itself fails every insert, as a full disk would: no mock of the writer.
      const db = new Database(eventsFile);
      db.exec(
        `CREATE TRIGGER refuse_appends BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`,
      );
      db.close();
      try {
        const fresh = await promote(replicaA!.url, { ...hashesOf(3), promote_name: 'never-recorded' });
        expect(lstatSafe(join(repos, 'never-recorded'))).toBe(false);
        expect(fresh.status).toBeGreaterThanOrEqual(500);
        expect(JSON.parse(fresh.text).message).toMatch(/not recorded/);
        expect(fresh.text).not.toContain(root);

        const moved = await promote(replicaB!.url, { ...hashesOf(5), promote_name: 'before-failure' });
        expect(moved.status).toBeGreaterThanOrEqual(500);
        expect(readlinkSync(join(repos, 'before-failure'))).toBe(BUILDS[2]!.repoDir);

        const batch = await promote(
          replicaA!.url,
          [
            { ...hashesOf(5), promote_name: 'before-failure' },
            { ...hashesOf(5), promote_name: 'batch-never-recorded' },
          ],
          '/api/promote-batch',
        );
        expect(batch.status).toBeGreaterThanOrEqual(500);
        expect(JSON.parse(batch.text).message).toMatch(/rolled back/);
        expect(readlinkSync(join(repos, 'before-failure'))).toBe(BUILDS[2]!.repoDir);
        expect(lstatSafe(join(repos, 'batch-never-recorded'))).toBe(false);
      } finally {
        const unblock = new Database(eventsFile);
        unblock.exec('DROP TRIGGER refuse_appends');
        unblock.close();
      }
      expect(await loggedTarget('before-failure')).toBe(BUILDS[2]!.repoDir);
      expect(await loggedTarget('never-recorded')).toBeNull();
    }, 60_000);

    it.skipIf(!canMountTmpfs)(
      'answers 507 on a full disk, moves no link, and records once space returns',
      async () => {
        expect((await promote(replicaA!.url, { ...hashesOf(1), promote_name: 'full-disk' })).status).toBe(201);
        const filler = join(root, 'filler');
        fillDisk(filler);
        try {
          const refused = await promote(replicaB!.url, { ...hashesOf(4), promote_name: 'full-disk' });
          const fresh = await promote(replicaA!.url, { ...hashesOf(4), promote_name: 'full-disk-fresh' });
          expect(readlinkSync(join(repos, 'full-disk'))).toBe(BUILDS[1]!.repoDir);
          expect(lstatSafe(join(repos, 'full-disk-fresh'))).toBe(false);
          expect([refused.status, JSON.parse(refused.text)]).toEqual([
            507,
            { message: 'Promotion not recorded: the event log is full. No link was moved.' },
          ]);
          expect(fresh.status).toBe(507);
        } finally {
          rmSync(filler, { force: true });
        }
        expect((await promote(replicaB!.url, { ...hashesOf(4), promote_name: 'full-disk' })).status).toBe(201);
        expect(readlinkSync(join(repos, 'full-disk'))).toBe(BUILDS[4]!.repoDir);
        expect(await loggedTarget('full-disk-fresh')).toBeNull();
      },
      60_000,
    );

    it('undoes the items of a batch already recorded when a later one is refused', async () => {
      expect((await promote(replicaA!.url, { ...hashesOf(2), promote_name: 'batch-kept' })).status).toBe(201);
      // Only the second name's stream is refused, so the first item is recorded before it fails.
      const db = new Database(eventsFile);
      db.exec(
        `CREATE TRIGGER refuse_second BEFORE INSERT ON events WHEN NEW.stream_id = 'promotion-batch-refused' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`,
      );
      db.close();
      try {
        const batch = await promote(
          replicaB!.url,
          [
            { ...hashesOf(6), promote_name: 'batch-kept' },
            { ...hashesOf(6), promote_name: 'batch-first-time' },
            { ...hashesOf(6), promote_name: 'batch-refused' },
          ],
          '/api/promote-batch',
        );
        expect(readlinkSync(join(repos, 'batch-kept'))).toBe(BUILDS[2]!.repoDir);
        expect(lstatSafe(join(repos, 'batch-first-time'))).toBe(false);
        expect(lstatSafe(join(repos, 'batch-refused'))).toBe(false);
        expect(batch.status).toBe(503);
        expect(JSON.parse(batch.text).message).toMatch(/All previously created symlinks have been rolled back\.$/);
      } finally {
        const unblock = new Database(eventsFile);
        unblock.exec('DROP TRIGGER refuse_second');
        unblock.close();
      }
      // The log agrees with the disk and with DLRN's answer: the batch left no promotion.
      expect(await loggedTarget('batch-kept')).toBe(BUILDS[2]!.repoDir);
      expect(await loggedTarget('batch-first-time')).toBeNull();
      const listed = await fetch(`${replicaA!.url}/api/promotions?promote_name=batch-kept`);
      expect(((await listed.json()) as unknown[]).length).toBe(1);
      const fresh = await fetch(`${replicaA!.url}/api/promotions?promote_name=batch-first-time`);
      expect(await fresh.json()).toEqual([]);
    }, 60_000);
  });
});

function lstatSafe(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
