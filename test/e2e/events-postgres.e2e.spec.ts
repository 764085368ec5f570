import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';

// Not skipped when PostgreSQL is missing: the test script starts one, so silence would hide a break.
const URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

async function sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('events in PostgreSQL', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-es-pg-'));
  const schemas: string[] = [];
  const schema = (): string => {
    const name = `e2e_${randomBytes(6).toString('hex')}`;
    schemas.push(name);
    return name;
  };
  let configFile = '';
  const apis: DlrnProcess[] = [];

  beforeAll(async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
  }, 60_000);

  afterAll(async () => {
    for (const api of apis) await api.stop();
    for (const name of schemas) await sql(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a real pass whose events go to PostgreSQL (postgres:// as well as postgresql://)', async () => {
    const dir = join(root, 'pg-pass');
    mkdirSync(dir);
    const events = schema();
    const ini = join(dir, 'projects.ini');
    // The same site, its data elsewhere, its events in PostgreSQL.
    writeFileSync(ini, readFileSync(configFile, 'utf8').replace('datadir=./data', `datadir=${join(dir, 'data')}`));
    appendFileSync(ini, `\n[service]\nevent_store=${URL.replace(/^postgresql:/, 'postgres:')}?schema=${events}\n`);
    const pass = await runDlrn(['--config-file', ini, '--info-repo', join(root, 'rdoinfo')]);
    expect(pass.code, pass.stderr).toBe(0);
    const csv = readFileSync(join(dir, 'data', 'repos', 'status_report.csv'), 'utf8');
    for (const name of ['broken-tool', 'demo-data', 'python-greeting']) {
      expect(csv).toMatch(new RegExp(`^${name},.*,SUCCESS,`, 'm'));
    }
    expect(existsSync(join(dir, 'data', 'events.sqlite'))).toBe(false);
    const types = await sql<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM ${events}.events GROUP BY type ORDER BY type`,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        { type: 'CommitDiscovered', n: 3 },
        { type: 'BuildSucceeded', n: 3 },
      ]),
    );
    const positions = await sql<{ first: string; last: string; n: string }>(
      `SELECT min(position) AS first, max(position) AS last, count(*) AS n FROM ${events}.events`,
    );
    expect(positions[0]).toEqual({ first: '1', last: positions[0]!.n, n: positions[0]!.n });
  }, 120_000);

  it('copies a SQLite log into PostgreSQL whose views then answer as the original', async () => {
    // The original: the demo site, events in SQLite (the default).
    const pass = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
    expect(pass.code, pass.stderr).toBe(0);
    const copyDir = join(root, 'copy');
    mkdirSync(copyDir);
    const events = schema();
    const target = `${URL}?schema=${events}`;
    const source = `sqlite:///${join(root, 'data', 'events.sqlite')}`;
    const copied = await runDlrn(['events', 'copy', '--from', source, '--to', target]);
    expect(copied.code, copied.stderr).toBe(0);
    const count = Number(
      /^copied (\d+) events, \1 in all up to position \1 \(positions and commit times kept\)/.exec(copied.stdout)?.[1],
    );
    expect(count).toBeGreaterThan(10);
    const again = await runDlrn(['events', 'copy', '--from', source, '--to', target]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`copied 0 events (${count} were there already)`);
    expect(again.stdout.slice(again.stdout.indexOf('sha256'))).toBe(
      copied.stdout.slice(copied.stdout.indexOf('sha256')),
    );

    const ini = join(copyDir, 'projects.ini');
    // The same site and repositories (the API reads repo contents from the datadir); events in
    // PostgreSQL, views of their own.
    writeFileSync(ini, readFileSync(configFile, 'utf8').replace('datadir=./data', `datadir=${join(root, 'data')}`));
    appendFileSync(
      ini,
      `\n[service]\nevent_store=${target}\nread_model_store=sqlite:///${join(copyDir, 'views.sqlite')}\n`,
    );
    const projected = await Promise.all(
      [configFile, ini].map((f) => runDlrn(['projector', '--once', '--config-file', f])),
    );
    for (const run of projected) expect(run.code, run.stderr).toBe(0);
    const listening = /api: listening on (http:\/\/[^/]+)\//;
    const [originalApi, copyApi] = await Promise.all(
      [configFile, ini].map((f) => startDlrn(['api', '--config-file', f, '--port', '0'], listening)),
    );
    apis.push(originalApi!, copyApi!);
    const paths = [
      '/api/packages',
      '/api/builds?limit=500',
      '/api/failures',
      '/api/repos/current',
      '/api/repos/consistent',
      '/api/metrics/builds?start_date=2000-01-01&end_date=2100-01-01',
    ];
    for (const path of paths) {
      const [a, b] = await Promise.all([fetch(`${originalApi!.url}${path}`), fetch(`${copyApi!.url}${path}`)]);
      const [bodyA, bodyB] = await Promise.all([a.text(), b.text()]);
      expect([b.status, bodyB], path).toEqual([a.status, bodyA]);
      expect(a.status, path).toBe(200);
    }
  }, 180_000);

  it('refuses a URL that names no store, and the same store twice', async () => {
    const bad = await runDlrn(['events', 'copy', '--from', 'mysql://db/x', '--to', `${URL}?schema=never`]);
    expect([bad.code, bad.stdout]).toEqual([1, '']);
    expect(bad.stderr).toBe(
      "dlrn: error: 'mysql://db/x' is not an event store URL: expected sqlite:///<path>, postgresql://…, kurrentdb://… or esdb://…\n",
    );
    const same = await runDlrn(['events', 'copy', '--from', 'sqlite:///x.sqlite', '--to', 'sqlite:///x.sqlite']);
    expect([same.code, same.stderr]).toEqual([
      1,
      expect.stringMatching(/^dlrn: error: --from and --to name the same store/),
    ]);
  });
});
