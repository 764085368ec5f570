import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import {
  ALL_PROJECTIONS,
  buildsProjection,
  ciVotesAggProjection,
  ciVotesProjection,
  packageStatusProjection,
  promotionsProjection,
  usersProjection,
  type ProjectionDefinition,
} from '#domain/projections/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { openReadModelStore, type KyselyReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import {
  configIn,
  createDlrnDatabase,
  createMariaDbDatabase,
  TEST_MARIADB,
  type TestMariaDbDatabase,
} from '../support/dlrn-db.fixtures.js';
import { dumpReadModels } from '../support/projection-dump.js';

const BAZ = '9999111111111111111111111111111111111111';

/** A site: its projects.ini, its import's output, and its views once projected. */
interface Site {
  readonly ini: string;
  imported: CliRun;
  views: KyselyReadModelStore;
}

/** `dlrn import-db` into a fresh site, then its views projected (in this process: it is quicker). */
async function importAndProject(dir: string, from: string): Promise<Site> {
  const ini = configIn(dir);
  const imported = await runDlrn(['import-db', '--from', from, '--config-file', ini]);
  expect(imported.code, imported.stderr).toBe(0);
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const views = await openReadModelStore({ kind: 'sqlite', path: join(dir, 'views.sqlite') });
  try {
    const engine = new ProjectionEngine(events, views, ALL_PROJECTIONS, { owner: 'test' });
    await engine.start();
    await engine.run({ untilCaughtUp: true });
    await engine.stop();
  } finally {
    await events.close();
  }
  return { ini, imported, views };
}

async function eventLog(dir: string) {
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  try {
    const events = await store.readAll({ maxCount: 10_000 });
    return events.map(({ streamId, revision, position, type, data, metadata }) => ({
      streamId,
      revision,
      position,
      type,
      data,
      eventId: metadata.eventId,
    }));
  } finally {
    await store.close();
  }
}

describe('dlrn import-db from a DLRN MariaDB database holding the rows of the SQLite fixture', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-import-mariadb-'));
  let maria: TestMariaDbDatabase;
  let fromSqlite: Site;
  let fromMaria: Site;
  let refused: CliRun;

  beforeAll(async () => {
    // DLRN's own MySQL DDL (test/fixtures/dlrn-db/schema-mysql.sql), then the very rows.sql the
    // SQLite import reads.
    maria = await createMariaDbDatabase('e2e', 'schema-mysql.sql', 'rows.sql');
    const file = createDlrnDatabase(join(root, 'commits.sqlite'), 'schema.sql', 'rows.sql');
    // Without --from, import-db reads projects.ini's database_connection (here with a wrong password).
    const wrongPassword = `mysql+pymysql://root:Wr0ngPassw0rd@${TEST_MARIADB.host}:${TEST_MARIADB.port}/${maria.name}`;
    const configured = configIn(join(root, 'refused'));
    const ini = readFileSync(configured, 'utf8');
    expect(ini).toMatch(/^database_connection=/m);
    writeFileSync(configured, ini.replace(/^database_connection=.*$/m, `database_connection=${wrongPassword}`));
    [fromSqlite, fromMaria, refused] = await Promise.all([
      importAndProject(join(root, 'sqlite-site'), `sqlite:///${file}`),
      importAndProject(join(root, 'maria-site'), maria.url),
      runDlrn(['import-db', '--config-file', configured]),
    ]);
  }, 120_000);
  afterAll(async () => {
    await fromSqlite?.views.close();
    await fromMaria?.views.close();
    await maria?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the same rows and appends the same number of events', () => {
    expect(fromMaria.imported.stdout).toContain(`imported ${maria.url} (source id `);
    const counts = (run: CliRun) => run.stdout.slice(run.stdout.indexOf('rows read:'));
    expect(counts(fromMaria.imported)).toBe(counts(fromSqlite.imported));
    expect(fromMaria.imported.stdout).toContain('events appended: 41\n');
    expect(fromMaria.imported.stderr).toContain('warning: skipped commits row 8: invalid commit_hash "not a hash"');
  });

  it('writes the event log the SQLite import writes, event for event', async () => {
    const [sqliteLog, mariaLog] = await Promise.all([
      eventLog(join(root, 'sqlite-site')),
      eventLog(join(root, 'maria-site')),
    ]);
    expect(mariaLog).toHaveLength(41);
    expect(mariaLog).toEqual(sqliteLog);
  });

  it.each<[string, ProjectionDefinition]>([
    ['builds', buildsProjection],
    ['civotes', ciVotesProjection],
    ['civotes_agg', ciVotesAggProjection],
    ['promotions', promotionsProjection],
    ['package status', packageStatusProjection],
  ])('answers %s as the SQLite import does', async (_, projection) => {
    const [sqliteViews, mariaViews] = await Promise.all([
      dumpReadModels(fromSqlite.views, [projection]),
      dumpReadModels(fromMaria.views, [projection]),
    ]);
    expect(mariaViews[projection.name]!.length).toBeGreaterThan(1);
    expect(mariaViews).toEqual(sqliteViews);
  });

  it('keeps the component and the aggregate hash of a promotion', async () => {
    const promotions = await fromMaria.views.find(promotionsProjection, {
      orderBy: [{ column: 'id', direction: 'desc' }],
    });
    expect(promotions[0]!.doc).toMatchObject({
      promotionName: 'promoted-components',
      commitHash: BAZ,
      component: 'tripleo',
      aggregateHash: 'fedcba9876543210fedcba9876543210',
    });
  });

  it('keeps the users and their password hashes', async () => {
    const users = async (site: Site) =>
      (await fromSiteUsers(site)).map(({ username, passwordHash }) => ({ username, passwordHash }));
    const fromSiteUsers = async (site: Site) =>
      (await site.views.find(usersProjection)).map((u) => u.doc).sort((a, b) => a.username.localeCompare(b.username));
    expect(await users(fromMaria)).toEqual(await users(fromSqlite));
    expect((await users(fromMaria)).map((u) => u.username)).toEqual(['admin', 'ciuser']);
  });

  it("names the server, not the password, when projects.ini's database_connection has wrong credentials", () => {
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `dlrn import-db: error: mysql+pymysql://root:***@127.0.0.1:3306/${maria.name}: 127.0.0.1:3306 refused user 'root': wrong user name or password`,
    );
    expect(refused.stderr).not.toContain('Wr0ngPassw0rd');
  });
});
