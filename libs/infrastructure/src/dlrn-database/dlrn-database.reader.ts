import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DlrnDatabaseError } from './dlrn-database-url.js';
import type {
  DlrnAggregateVoteRow,
  DlrnCiVoteRow,
  DlrnCommitRow,
  DlrnJoinedCommit,
  DlrnProjectRow,
  DlrnPromotionRow,
  DlrnRow,
  DlrnTable,
  DlrnUserRow,
} from './dlrn-rows.js';

type Raw = Record<string, unknown>;

/** Columns a table must have to be DLRN's (every Alembic revision has them). */
const REQUIRED: Readonly<Record<DlrnTable, readonly string[]>> = {
  commits: ['id', 'project_name', 'commit_hash', 'distro_hash', 'status'],
  projects: ['id', 'project_name'],
  civotes: ['id', 'commit_id', 'ci_name'],
  civotes_agg: ['id', 'ref_hash', 'ci_name'],
  promotions: ['id', 'commit_id', 'promotion_name'],
  users: ['username', 'password'],
};

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const optText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const optNumber = (value: unknown): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};
const flag = (value: unknown): number => (value === 1 || value === '1' || value === true || value === 'true' ? 1 : 0);

/** One table being read in id order, with the time that places its rows in the merged log. */
interface Cursor {
  readonly rows: Iterator<DlrnRow>;
  head: IteratorResult<DlrnRow>;
  readonly time: (entry: DlrnRow) => number;
}

/**
 * A DLRN database opened read-only. Columns added by later Alembic revisions (component,
 * extended_hash, type, versions_csv…) read as NULL when the database predates them; tables
 * added later (users, civotes, promotions, civotes_agg) read as empty.
 */
export class DlrnDatabase {
  private readonly columns = new Map<DlrnTable, ReadonlySet<string>>();

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {}

  /** Opens and checks the file: it exists, is SQLite, and has DLRN's `commits` table. */
  static open(file: string): DlrnDatabase {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      throw new DlrnDatabaseError(file, 'no such file');
    }
    if (!stat.isFile()) throw new DlrnDatabaseError(file, 'not a file');
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new DlrnDatabaseError(file, `cannot open: ${(error as Error).message}`);
    }
    const database = new DlrnDatabase(file, db);
    try {
      database.readSchema();
      return database;
    } catch (error) {
      db.close();
      throw DlrnDatabase.wrap(file, error);
    }
  }

  /** SQLite errors (corrupt pages, not a database) as a DlrnDatabaseError naming the file. */
  static wrap(file: string, error: unknown): Error {
    if (error instanceof DlrnDatabaseError) return error;
    if (error instanceof Database.SqliteError) {
      const what =
        error.code === 'SQLITE_NOTADB'
          ? 'not an SQLite database'
          : error.code === 'SQLITE_CORRUPT'
            ? 'the database is corrupt'
            : 'cannot be read';
      return new DlrnDatabaseError(file, `${what} (${error.message})`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private readSchema(): void {
    const tables = new Set(
      this.db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((t) => t.name),
    );
    if (!tables.has('commits')) throw new DlrnDatabaseError(this.file, 'not a DLRN database: it has no commits table');
    for (const table of Object.keys(REQUIRED) as DlrnTable[]) {
      if (!tables.has(table)) continue;
      const names = new Set(
        this.db
          .prepare<[], { name: string }>(`PRAGMA table_info("${table}")`)
          .all()
          .map((c) => c.name),
      );
      const missing = REQUIRED[table].filter((c) => !names.has(c));
      if (missing.length > 0) {
        throw new DlrnDatabaseError(
          this.file,
          `not a DLRN database: table ${table} has no column ${missing.map((c) => `'${c}'`).join(', ')}`,
        );
      }
      this.columns.set(table, names);
    }
  }

  close(): void {
    this.db.close();
  }

  /** `<alias>."<column>"` when the table has the column, else NULL (older databases). */
  private col(table: DlrnTable, alias: string, column: string): string {
    return this.columns.get(table)?.has(column) ? `${alias}."${column}"` : 'NULL';
  }

  /** Rows per table (0 for a table the database does not have). */
  counts(): Record<DlrnTable, number> {
    const count = (table: DlrnTable): number =>
      this.columns.has(table) ? this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`).get()!.n : 0;
    return {
      commits: count('commits'),
      civotes: count('civotes'),
      civotes_agg: count('civotes_agg'),
      promotions: count('promotions'),
      users: count('users'),
      projects: count('projects'),
    };
  }

  /** The commit with the lowest id: the database's identity (DLRN never rewrites it). */
  firstCommit(): DlrnCommitRow | null {
    const rows = this.commits(' ORDER BY c.id LIMIT 1');
    const first = rows.next();
    rows.return(undefined);
    return first.done ? null : first.value;
  }

  /**
   * Every row, in the order the import appends them: users first (they have no time, and votes
   * and promotions name them), then the other tables merged by their own time (commits by
   * dt_build, votes and promotions by timestamp, projects by last_email) while each table keeps
   * its id order; at equal times commits come first, so a `consistent` vote follows its build.
   */
  *rows(): Generator<DlrnRow> {
    for (const row of this.users()) yield { table: 'users', row };
    const cursors: Cursor[] = [
      this.cursor(this.commits(' ORDER BY c.id'), 'commits', (e) => {
        const row = e.row as DlrnCommitRow;
        return row.dt_build ?? row.dt_commit ?? 0;
      }),
      this.cursor(this.projects(), 'projects', (e) => (e.row as DlrnProjectRow).last_email ?? 0),
      this.cursor(this.civotes(), 'civotes', (e) => (e.row as DlrnCiVoteRow).timestamp ?? 0),
      this.cursor(this.aggregateVotes(), 'civotes_agg', (e) => (e.row as DlrnAggregateVoteRow).timestamp ?? 0),
      this.cursor(this.promotions(), 'promotions', (e) => (e.row as DlrnPromotionRow).timestamp ?? 0),
    ];
    try {
      for (;;) {
        let next: Cursor | null = null;
        for (const cursor of cursors) {
          if (cursor.head.done) continue;
          if (next === null || cursor.time(cursor.head.value) < next.time(next.head.value as DlrnRow)) next = cursor;
        }
        if (next === null) return;
        yield next.head.value as DlrnRow;
        next.head = next.rows.next();
      }
    } finally {
      for (const cursor of cursors) cursor.rows.return?.();
    }
  }

  private cursor<R extends DlrnRow['row']>(
    rows: Iterator<R>,
    table: DlrnTable,
    time: (entry: DlrnRow) => number,
  ): Cursor {
    const tagged: Iterator<DlrnRow> = {
      next: () => {
        const r = rows.next();
        return r.done ? { done: true, value: undefined } : { done: false, value: { table, row: r.value } as DlrnRow };
      },
      return: () => {
        rows.return?.();
        return { done: true, value: undefined };
      },
    };
    return { rows: tagged, head: tagged.next(), time };
  }

  private *users(): Generator<DlrnUserRow> {
    if (!this.columns.has('users')) return;
    for (const raw of this.db.prepare<[], Raw>('SELECT username, password FROM users ORDER BY username').iterate()) {
      yield { username: text(raw['username']), password: text(raw['password']) };
    }
  }

  private *commits(order: string): Generator<DlrnCommitRow> {
    const c = (column: string): string => this.col('commits', 'c', column);
    const artifacts = this.columns.get('commits')!.has('artifacts') ? c('artifacts') : c('rpms');
    const sql =
      `SELECT c.id AS id, ${c('type')} AS type, ${c('dt_commit')} AS dt_commit, ${c('dt_distro')} AS dt_distro, ` +
      `${c('dt_extended')} AS dt_extended, ${c('dt_build')} AS dt_build, c.project_name AS project_name, ` +
      `c.commit_hash AS commit_hash, c.distro_hash AS distro_hash, ${c('extended_hash')} AS extended_hash, ` +
      `${c('commit_branch')} AS commit_branch, c.status AS status, ${c('component')} AS component, ` +
      `${artifacts} AS artifacts, ${c('notes')} AS notes, ${c('flags')} AS flags, ` +
      `${c('versions_csv')} AS versions_csv FROM commits c${order}`;
    for (const raw of this.db.prepare<[], Raw>(sql).iterate()) {
      yield {
        id: Number(raw['id']),
        type: optText(raw['type']),
        dt_commit: optNumber(raw['dt_commit']),
        dt_distro: optNumber(raw['dt_distro']),
        dt_extended: optNumber(raw['dt_extended']),
        dt_build: optNumber(raw['dt_build']),
        project_name: text(raw['project_name']),
        commit_hash: text(raw['commit_hash']),
        distro_hash: text(raw['distro_hash']),
        extended_hash: optText(raw['extended_hash']),
        commit_branch: optText(raw['commit_branch']),
        status: text(raw['status']),
        component: optText(raw['component']),
        artifacts: optText(raw['artifacts']),
        notes: optText(raw['notes']),
        flags: optNumber(raw['flags']),
        versions_csv: optText(raw['versions_csv']),
      };
    }
  }

  private *projects(): Generator<DlrnProjectRow> {
    if (!this.columns.has('projects')) return;
    const sql = `SELECT p.id AS id, p.project_name AS project_name, ${this.col('projects', 'p', 'last_email')} AS last_email FROM projects p ORDER BY p.id`;
    for (const raw of this.db.prepare<[], Raw>(sql).iterate()) {
      yield {
        id: Number(raw['id']),
        project_name: text(raw['project_name']),
        last_email: optNumber(raw['last_email']),
      };
    }
  }

  /** `c_*` columns of the joined commit. */
  private joinedColumns(): string {
    const c = (column: string): string => this.col('commits', 'c', column);
    return (
      `c.id AS c_id, c.project_name AS c_project_name, c.commit_hash AS c_commit_hash, ` +
      `c.distro_hash AS c_distro_hash, ${c('extended_hash')} AS c_extended_hash, ${c('component')} AS c_component`
    );
  }

  private joined(raw: Raw): DlrnJoinedCommit | null {
    if (raw['c_id'] === null || raw['c_id'] === undefined) return null;
    return {
      project_name: text(raw['c_project_name']),
      commit_hash: text(raw['c_commit_hash']),
      distro_hash: text(raw['c_distro_hash']),
      extended_hash: optText(raw['c_extended_hash']),
      component: optText(raw['c_component']),
    };
  }

  private voteColumns(table: 'civotes' | 'civotes_agg'): string {
    const v = (column: string): string => this.col(table, 'v', column);
    return (
      `v.id AS id, v.ci_name AS ci_name, ${v('ci_url')} AS ci_url, ${v('ci_vote')} AS ci_vote, ` +
      `${v('ci_in_progress')} AS ci_in_progress, ${v('timestamp')} AS timestamp, ${v('notes')} AS notes, ` +
      `${v('user')} AS user`
    );
  }

  private vote(raw: Raw): Omit<DlrnAggregateVoteRow, 'ref_hash'> {
    return {
      id: Number(raw['id']),
      ci_name: text(raw['ci_name']),
      ci_url: optText(raw['ci_url']),
      ci_vote: flag(raw['ci_vote']),
      ci_in_progress: flag(raw['ci_in_progress']),
      timestamp: optNumber(raw['timestamp']),
      notes: optText(raw['notes']),
      user: optText(raw['user']),
    };
  }

  private *civotes(): Generator<DlrnCiVoteRow> {
    if (!this.columns.has('civotes')) return;
    const sql =
      `SELECT ${this.voteColumns('civotes')}, v.commit_id AS commit_id, ` +
      `${this.col('civotes', 'v', 'component')} AS component, ${this.joinedColumns()} ` +
      `FROM civotes v LEFT JOIN commits c ON c.id = v.commit_id ORDER BY v.id`;
    for (const raw of this.db.prepare<[], Raw>(sql).iterate()) {
      yield {
        ...this.vote(raw),
        commit_id: Number(raw['commit_id']),
        component: optText(raw['component']),
        commit: this.joined(raw),
      };
    }
  }

  private *aggregateVotes(): Generator<DlrnAggregateVoteRow> {
    if (!this.columns.has('civotes_agg')) return;
    const sql = `SELECT ${this.voteColumns('civotes_agg')}, v.ref_hash AS ref_hash FROM civotes_agg v ORDER BY v.id`;
    for (const raw of this.db.prepare<[], Raw>(sql).iterate()) {
      yield { ...this.vote(raw), ref_hash: text(raw['ref_hash']) };
    }
  }

  private *promotions(): Generator<DlrnPromotionRow> {
    if (!this.columns.has('promotions')) return;
    const p = (column: string): string => this.col('promotions', 'p', column);
    const sql =
      `SELECT p.id AS id, p.commit_id AS commit_id, p.promotion_name AS promotion_name, ` +
      `${p('timestamp')} AS timestamp, ${p('user')} AS user, ${p('component')} AS component, ` +
      `${p('aggregate_hash')} AS aggregate_hash, ${this.joinedColumns()} ` +
      `FROM promotions p LEFT JOIN commits c ON c.id = p.commit_id ORDER BY p.id`;
    for (const raw of this.db.prepare<[], Raw>(sql).iterate()) {
      yield {
        id: Number(raw['id']),
        commit_id: Number(raw['commit_id']),
        promotion_name: text(raw['promotion_name']),
        timestamp: optNumber(raw['timestamp']),
        user: optText(raw['user']),
        component: optText(raw['component']),
        aggregate_hash: optText(raw['aggregate_hash']),
        commit: this.joined(raw),
      };
    }
  }
}
