import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { createDlrnDatabase } from '../support/dlrn-db.fixtures.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';

const run = promisify(execFile);

/** Every line of a text file, each with its newline. */
const linesOf = (text: string): string[] => text.split(/(?<=\n)/);

function eventCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * A real history (`dlrn demo`: two passes of real rpmbuild builds, one package breaking; plus
 * DLRN's fixture database through `dlrn import-db`: votes, promotions, users with password
 * hashes, retries, a purge), exported, tampered with, and imported into an empty store whose
 * projections must answer exactly as the original's.
 */
describe('dlrn events export, verify, import', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-events-log-'));
  const demo = join(root, 'demo');
  const original = join(demo, 'projects.ini');
  const log = join(root, 'log.ndjson');
  let events: number;
  let exported: CliRun;

  /** A projects.ini beside the demo's (same datadir and baseurl) whose stores live in `name`. */
  function siteConfig(name: string): { ini: string; events: string } {
    const ini = join(demo, `${name}.ini`);
    copyFileSync(original, ini);
    const eventsFile = join(root, name, 'events.sqlite');
    appendFileSync(
      ini,
      `\n[service]\nevent_store=sqlite:///${eventsFile}\nread_model_store=sqlite:///${join(root, name, 'views.sqlite')}\n`,
    );
    return { ini, events: eventsFile };
  }

  beforeAll(async () => {
    const built = await runDlrn(['demo', '--dir', demo]);
    expect(built.code, built.stderr).toBe(0);
    const dlrnDb = createDlrnDatabase(join(root, 'commits.sqlite'), 'schema.sql', 'rows.sql');
    const imported = await runDlrn(['import-db', '--from', `sqlite:///${dlrnDb}`, '--config-file', original]);
    expect(imported.code, imported.stderr).toBe(0);
    events = eventCount(join(demo, 'data', 'events.sqlite'));
    exported = await runDlrn(['events', 'export', '--config-file', original, '--output', log]);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('export', () => {
    it('writes every event, one chained line each between a header and an end line, and says so', () => {
      expect(exported.code, exported.stderr).toBe(0);
      const lines = linesOf(readFileSync(log, 'utf8'));
      expect(lines).toHaveLength(events + 2);
      expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'dlrn-event-log', version: 1, redacted: true });
      const end = JSON.parse(lines.at(-1)!) as { events: number; lastPosition: number; sha256: string };
      expect(end).toMatchObject({ end: true, events, lastPosition: events });
      expect(exported.stdout).toBe(
        `exported ${events} events, last position ${events}, sha256 ${end.sha256} (password hashes redacted)\n`,
      );
      const positions = lines.slice(1, -1).map((l) => (JSON.parse(l) as { position: number }).position);
      expect(positions).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    });

    it('prints a progress line on stderr when it is a terminal, and only then', async () => {
      expect(exported.stderr).toBe('');
      // script(1) gives the command a terminal; the paths are this test's own temporary files.
      const command = `${process.execPath} --conditions=source --import @swc-node/register/esm-register apps/cli/src/main.ts events export --config-file '${original}' --output '${join(root, 'tty.ndjson')}'`;
      const { stdout } = await run('script', ['-qec', command, '/dev/null']);
      expect(stdout).toContain(`\rdlrn events export: ${events} events (100%)\u001b[K\r\u001b[K`);
      expect(readFileSync(join(root, 'tty.ndjson'), 'utf8')).toBe(readFileSync(log, 'utf8'));
    });

    it('redacts password hashes, unless --full is asked for', async () => {
      const text = readFileSync(log, 'utf8');
      const users = linesOf(text).filter((l) => l.includes('"type":"UserCreated"'));
      expect(users.length).toBeGreaterThan(0);
      for (const line of users) expect(line).toContain('"passwordHash":"[redacted]"');
      const full = await runDlrn(['events', 'export', '--full', '--config-file', original]);
      const hashes = linesOf(full.stdout)
        .filter((l) => l.includes('"type":"UserCreated"'))
        .map((l) => (JSON.parse(l) as { data: { passwordHash: string } }).data.passwordHash);
      expect(hashes).toHaveLength(users.length);
      for (const hash of hashes) expect(hash).toMatch(/^\$/);
    });
  });

  describe('verify', () => {
    it('accepts the export with a one-line summary (events, last position, last hash)', async () => {
      const [verified, againstStore] = await Promise.all([
        runDlrn(['events', 'verify', log]),
        runDlrn(['events', 'verify', '--config-file', original, log]),
      ]);
      const end = JSON.parse(linesOf(readFileSync(log, 'utf8')).at(-1)!) as { sha256: string };
      expect([verified.code, verified.stdout]).toEqual([
        0,
        `${log}: ok, ${events} events, last position ${events}, sha256 ${end.sha256}\n`,
      ]);
      expect(againstStore.stdout).toMatch(/, the store's log\n$/);
    });

    it('fails at the line changed, removed, swapped or cut', async () => {
      const lines = linesOf(readFileSync(log, 'utf8'));
      const oneByte = [...lines];
      const middle = Math.floor(oneByte[9]!.length / 2);
      const flipped = oneByte[9]![middle] === 'x' ? 'y' : 'x';
      oneByte[9] = oneByte[9]!.slice(0, middle) + flipped + oneByte[9]!.slice(middle + 1);
      const removed = lines.filter((_, i) => i !== 6);
      const swapped = [...lines];
      [swapped[11], swapped[12]] = [swapped[12]!, swapped[11]!];
      const cut = lines.join('').slice(0, -20);
      const cases: [string, string, number][] = [
        ['one-byte', oneByte.join(''), 10],
        ['removed', removed.join(''), 7],
        ['swapped', swapped.join(''), 12],
        ['cut', cut, lines.length],
      ];
      const runs = await Promise.all(
        cases.map(([name, text]) => {
          const file = join(root, `${name}.ndjson`);
          writeFileSync(file, text);
          return runDlrn(['events', 'verify', file]);
        }),
      );
      cases.forEach(([name, , line], i) => {
        expect(runs[i]!.code, name).toBe(1);
        expect(runs[i]!.stdout, name).toBe('');
        expect(runs[i]!.stderr, name).toMatch(new RegExp(`^dlrn: error: \\S+${name}\\.ndjson: line ${line}: `));
      });
    });
  });

  // Each case has a store of its own: they run side by side (CLI start-ups dominate).
  describe.concurrent('import', () => {
    let originalApi: DlrnProcess | undefined;
    let importedApi: DlrnProcess | undefined;
    const target = () => siteConfig('imported');

    afterAll(async () => {
      await originalApi?.stop();
      await importedApi?.stop();
    });

    it('fills an empty store whose views then answer as the original, byte for byte', async ({ expect }) => {
      const { ini, events: eventsFile } = target();
      const imported = await runDlrn(['events', 'import', '--config-file', ini, log]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(new RegExp(`^imported ${events} events, last position ${events}, sha256 `));
      expect(imported.stderr).toMatch(/warning: .* redacted export: the \d+ user events carry no password hash/);
      expect(eventCount(eventsFile)).toBe(events);
      const reexported = await runDlrn(['events', 'export', '--config-file', ini]);
      expect(reexported.stdout).toBe(readFileSync(log, 'utf8'));

      const projected = await Promise.all(
        [original, ini].map((f) => runDlrn(['projector', '--once', '--config-file', f])),
      );
      for (const run of projected) expect(run.code, run.stderr).toBe(0);
      const listening = /api: listening on (http:\/\/[^/]+)\//;
      [originalApi, importedApi] = await Promise.all([
        startDlrn(['api', '--config-file', original, '--port', '0'], listening),
        startDlrn(['api', '--config-file', ini, '--port', '0'], listening),
      ]);
      const promotions = (await (await fetch(`${originalApi.url}/api/promotions`)).json()) as {
        commit_hash: string;
        distro_hash: string;
      }[];
      expect(promotions.length).toBeGreaterThan(0);
      const { commit_hash, distro_hash } = promotions.at(-1)!;
      const paths = [
        '/api/packages',
        '/api/builds?limit=500',
        '/api/failures',
        '/api/promotions',
        '/api/components',
        '/api/repos/current',
        '/api/repos/consistent',
        '/api/last_tested_repo?max_age=0',
        `/api/repo_status?commit_hash=${commit_hash}&distro_hash=${distro_hash}`,
        '/api/metrics/builds?start_date=2000-01-01&end_date=2100-01-01',
      ];
      for (const path of paths) {
        const [a, b] = await Promise.all([fetch(`${originalApi.url}${path}`), fetch(`${importedApi.url}${path}`)]);
        const [bodyA, bodyB] = await Promise.all([a.text(), b.text()]);
        expect([b.status, bodyB], path).toEqual([a.status, bodyA]);
        expect(a.status, path).toBe(200);
      }
    }, 120_000);

    it('refuses a store that holds other events, and leaves it as it was', async ({ expect }) => {
      const { ini, events: eventsFile } = siteConfig('busy');
      const user = await runDlrn(['user', '--config-file', ini, 'create', '--username', 'x', '--password', 'pw-x']);
      expect(user.code, user.stderr).toBe(0);
      const refused = await runDlrn(['events', 'import', '--config-file', ini, log]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^dlrn: error: the target store is not empty .*: import into an empty store\n$/);
      expect(eventCount(eventsFile)).toBe(1);
    });

    it('refuses a file with a bad line midway before writing anything', async ({ expect }) => {
      const { ini, events: eventsFile } = siteConfig('tampered');
      const lines = linesOf(readFileSync(log, 'utf8'));
      const bad = join(root, 'bad-midway.ndjson');
      const middle = Math.floor(lines.length / 2);
      writeFileSync(bad, lines.filter((_, i) => i !== middle).join(''));
      const refused = await runDlrn(['events', 'import', '--config-file', ini, bad]);
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(new RegExp(`line ${middle + 1}: `))]);
      const store = new SqliteEventStore(eventsFile);
      try {
        expect(await store.headPosition()).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('resumes an import cut short, after the events already written', async ({ expect }) => {
      const { ini, events: eventsFile } = siteConfig('resumed');
      const lines = linesOf(readFileSync(log, 'utf8')).slice(1, -1);
      const written = Math.floor(lines.length / 3);
      const store = new SqliteEventStore(eventsFile);
      try {
        const first = lines.slice(0, written).map((line): RecordedEvent => {
          const {
            stream,
            prev: _prev,
            sha256: _sha256,
            ...event
          } = JSON.parse(line) as Omit<RecordedEvent, 'streamId'> & {
            stream: string;
            prev: string;
            sha256: string;
          };
          return { ...event, streamId: stream };
        });
        await store.importRecorded(first);
      } finally {
        await store.close();
      }
      const resumed = await runDlrn(['events', 'import', '--config-file', ini, log]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(
        new RegExp(`^imported ${events - written} events \\(${written} were there already\\)`),
      );
      expect((await runDlrn(['events', 'export', '--config-file', ini])).stdout).toBe(readFileSync(log, 'utf8'));
    });
  });
});
