import { DlrnDatabaseError, type DlrnDatabaseLocation } from './dlrn-database-url.js';
import { DlrnMysqlSource } from './dlrn-mysql.source.js';
import type { DlrnSqlSource, RawRow } from './dlrn-sql.source.js';
import { DlrnSqliteSource } from './dlrn-sqlite.source.js';
import { flag, optNumber, optText, text } from './dlrn-values.js';
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

/** Columns a table must have to be DLRN's (every Alembic revision has them). */
const REQUIRED: Readonly<Record<DlrnTable, readonly string[]>> = {
  commits: ['id', 'project_name', 'commit_hash', 'distro_hash', 'status'],
  projects: ['id', 'project_name'],
  civotes: ['id', 'commit_id', 'ci_name'],
  civotes_agg: ['id', 'ref_hash', 'ci_name'],
  promotions: ['id', 'commit_id', 'promotion_name'],
  users: ['username', 'password'],
};

/** Rows fetched per query: memory stays bounded however large the tables are. */
const PAGE_SIZE = 1000;

/** One table being read in key order, with the time that places its rows in the merged log. */
interface Cursor {
  readonly rows: AsyncIterator<DlrnRow>;
  head: IteratorResult<DlrnRow>;
  readonly time: (entry: DlrnRow) => number;
}

/**
 * A DLRN database (SQLite, or MariaDB/MySQL), read-only: one reader whatever the engine, the
 * engines differing only in how they connect, list columns and quote. Columns added by later
 * Alembic revisions (component, extended_hash, type, versions_csv…) read as NULL when the
 * database predates them; tables added later (users, civotes, promotions, civotes_agg) read as
 * empty. Tables are read a page at a time in primary-key order.
 */
export class DlrnDatabase {
  private readonly columns = new Map<DlrnTable, ReadonlySet<string>>();

  private constructor(
    private readonly source: DlrnSqlSource,
    private readonly pageSize: number,
  ) {}

  /** The SQLite file, or the MariaDB URL without its password: what messages name. */
  get label(): string {
    return this.source.label;
  }

  /** Opens and checks the database: it can be read and has DLRN's `commits` table. */
  static async open(
    location: DlrnDatabaseLocation,
    options: { readonly pageSize?: number } = {},
  ): Promise<DlrnDatabase> {
    const source =
      location.kind === 'sqlite' ? DlrnSqliteSource.open(location.file) : await DlrnMysqlSource.open(location);
    const database = new DlrnDatabase(source, Math.max(1, Math.floor(options.pageSize ?? PAGE_SIZE)));
    try {
      await database.readSchema();
      return database;
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  private async readSchema(): Promise<void> {
    const tables = await this.source.tableNames();
    if (!tables.has('commits')) throw new DlrnDatabaseError(this.label, 'not a DLRN database: it has no commits table');
    for (const table of Object.keys(REQUIRED) as DlrnTable[]) {
      if (!tables.has(table)) continue;
      const names = await this.source.columnNames(table);
      const missing = REQUIRED[table].filter((c) => !names.has(c));
      if (missing.length > 0) {
        throw new DlrnDatabaseError(
          this.label,
          `not a DLRN database: table ${table} has no column ${missing.map((c) => `'${c}'`).join(', ')}`,
        );
      }
      this.columns.set(table, names);
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private q(identifier: string): string {
    return this.source.quote(identifier);
  }

  /** `<alias>.<column> AS <name>` when the table has the column, else `NULL AS <name>`. */
  private col(table: DlrnTable, alias: string, column: string, name: string = column): string {
    const value = this.columns.get(table)?.has(column) ? `${alias}.${this.q(column)}` : 'NULL';
    return `${value} AS ${this.q(name)}`;
  }

  /** Rows per table (0 for a table the database does not have). */
  async counts(): Promise<Record<DlrnTable, number>> {
    const count = async (table: DlrnTable): Promise<number> => {
      if (!this.columns.has(table)) return 0;
      const [row] = await this.source.all(`SELECT COUNT(*) AS n FROM ${this.q(table)}`);
      return Number(row?.['n'] ?? 0);
    };
    return {
      commits: await count('commits'),
      civotes: await count('civotes'),
      civotes_agg: await count('civotes_agg'),
      promotions: await count('promotions'),
      users: await count('users'),
      projects: await count('projects'),
    };
  }

  /** The commit with the lowest id: the database's identity (DLRN never rewrites it). */
  async firstCommit(): Promise<DlrnCommitRow | null> {
    const [raw] = await this.source.all(`${this.commitSelect()} ORDER BY c.id LIMIT 1`);
    return raw === undefined ? null : commitOf(raw);
  }

  /**
   * Every row, in the order the import appends them: users first (they have no time, and votes
   * and promotions name them), then the other tables merged by their own time (commits by
   * dt_build, votes and promotions by timestamp, projects by last_email) while each table keeps
   * its id order; at equal times commits come first, so a `consistent` vote follows its build.
   */
  async *rows(): AsyncGenerator<DlrnRow> {
    for await (const row of this.users()) yield { table: 'users', row };
    const cursors: Cursor[] = await Promise.all([
      cursor(this.commits(), 'commits', (e) => {
        const row = e.row as DlrnCommitRow;
        return row.dt_build ?? row.dt_commit ?? 0;
      }),
      cursor(this.projects(), 'projects', (e) => (e.row as DlrnProjectRow).last_email ?? 0),
      cursor(this.civotes(), 'civotes', (e) => (e.row as DlrnCiVoteRow).timestamp ?? 0),
      cursor(this.aggregateVotes(), 'civotes_agg', (e) => (e.row as DlrnAggregateVoteRow).timestamp ?? 0),
      cursor(this.promotions(), 'promotions', (e) => (e.row as DlrnPromotionRow).timestamp ?? 0),
    ]);
    try {
      for (;;) {
        let next: Cursor | null = null;
        for (const c of cursors) {
          if (c.head.done) continue;
          if (next === null || c.time(c.head.value) < next.time(next.head.value as DlrnRow)) next = c;
        }
        if (next === null) return;
        yield next.head.value as DlrnRow;
        next.head = await next.rows.next();
      }
    } finally {
      for (const c of cursors) await c.rows.return?.();
    }
  }

  /**
   * A query's rows a page at a time, in `key` order (`key` is also the name of the column
   * holding it in the result); the next page starts after the last key seen.
   */
  private async *paged(query: string, key: string, keyName: string): AsyncGenerator<RawRow> {
    let last: string | number | undefined;
    for (;;) {
      const after = last === undefined ? '' : ` WHERE ${key} > ?`;
      const page = await this.source.all(
        `${query}${after} ORDER BY ${key} LIMIT ${this.pageSize}`,
        last === undefined ? [] : [last],
      );
      yield* page;
      const tail = page.at(-1);
      if (page.length < this.pageSize || tail === undefined) return;
      last = tail[keyName] as string | number;
    }
  }

  private async *users(): AsyncGenerator<DlrnUserRow> {
    if (!this.columns.has('users')) return;
    const key = this.source.bytewise(`u.${this.q('username')}`);
    const query = `SELECT u.${this.q('username')} AS username, u.${this.q('password')} AS password FROM users u`;
    for await (const raw of this.paged(query, key, 'username')) {
      yield { username: text(raw['username']), password: text(raw['password']) };
    }
  }

  private commitSelect(): string {
    const c = (column: string, name?: string): string => this.col('commits', 'c', column, name);
    const artifacts = this.columns.get('commits')!.has('artifacts') ? c('artifacts') : c('rpms', 'artifacts');
    return (
      `SELECT c.id AS id, ${c('type')}, ${c('dt_commit')}, ${c('dt_distro')}, ${c('dt_extended')}, ` +
      `${c('dt_build')}, ${c('project_name')}, ${c('commit_hash')}, ${c('distro_hash')}, ${c('extended_hash')}, ` +
      `${c('commit_branch')}, ${c('status')}, ${c('component')}, ${artifacts}, ${c('notes')}, ${c('flags')}, ` +
      `${c('versions_csv')} FROM commits c`
    );
  }

  private async *commits(): AsyncGenerator<DlrnCommitRow> {
    for await (const raw of this.paged(this.commitSelect(), 'c.id', 'id')) yield commitOf(raw);
  }

  private async *projects(): AsyncGenerator<DlrnProjectRow> {
    if (!this.columns.has('projects')) return;
    const query = `SELECT p.id AS id, ${this.col('projects', 'p', 'project_name')}, ${this.col('projects', 'p', 'last_email')} FROM projects p`;
    for await (const raw of this.paged(query, 'p.id', 'id')) {
      yield {
        id: Number(raw['id']),
        project_name: text(raw['project_name']),
        last_email: optNumber(raw['last_email']),
      };
    }
  }

  /** The voted or promoted commit's columns, as `c_*`. */
  private joinedColumns(): string {
    const c = (column: string): string => this.col('commits', 'c', column, `c_${column}`);
    return `c.id AS c_id, ${c('project_name')}, ${c('commit_hash')}, ${c('distro_hash')}, ${c('extended_hash')}, ${c('component')}`;
  }

  private voteColumns(table: 'civotes' | 'civotes_agg'): string {
    const v = (column: string): string => this.col(table, 'v', column);
    return (
      `v.id AS id, ${v('ci_name')}, ${v('ci_url')}, ${v('ci_vote')}, ${v('ci_in_progress')}, ${v('timestamp')}, ` +
      `${v('notes')}, ${v('user')}`
    );
  }

  private async *civotes(): AsyncGenerator<DlrnCiVoteRow> {
    if (!this.columns.has('civotes')) return;
    const query =
      `SELECT ${this.voteColumns('civotes')}, v.commit_id AS commit_id, ${this.col('civotes', 'v', 'component')}, ` +
      `${this.joinedColumns()} FROM civotes v LEFT JOIN commits c ON c.id = v.commit_id`;
    for await (const raw of this.paged(query, 'v.id', 'id')) {
      yield {
        ...voteOf(raw),
        commit_id: Number(raw['commit_id']),
        component: optText(raw['component']),
        commit: joinedOf(raw),
      };
    }
  }

  private async *aggregateVotes(): AsyncGenerator<DlrnAggregateVoteRow> {
    if (!this.columns.has('civotes_agg')) return;
    const query = `SELECT ${this.voteColumns('civotes_agg')}, v.ref_hash AS ref_hash FROM civotes_agg v`;
    for await (const raw of this.paged(query, 'v.id', 'id')) yield { ...voteOf(raw), ref_hash: text(raw['ref_hash']) };
  }

  private async *promotions(): AsyncGenerator<DlrnPromotionRow> {
    if (!this.columns.has('promotions')) return;
    const p = (column: string): string => this.col('promotions', 'p', column);
    const query =
      `SELECT p.id AS id, p.commit_id AS commit_id, p.promotion_name AS promotion_name, ${p('timestamp')}, ` +
      `${p('user')}, ${p('component')}, ${p('aggregate_hash')}, ${this.joinedColumns()} ` +
      `FROM promotions p LEFT JOIN commits c ON c.id = p.commit_id`;
    for await (const raw of this.paged(query, 'p.id', 'id')) {
      yield {
        id: Number(raw['id']),
        commit_id: Number(raw['commit_id']),
        promotion_name: text(raw['promotion_name']),
        timestamp: optNumber(raw['timestamp']),
        user: optText(raw['user']),
        component: optText(raw['component']),
        aggregate_hash: optText(raw['aggregate_hash']),
        commit: joinedOf(raw),
      };
    }
  }
}

async function cursor<R extends DlrnRow['row']>(
  rows: AsyncIterator<R>,
  table: DlrnTable,
  time: (entry: DlrnRow) => number,
): Promise<Cursor> {
  const tagged: AsyncIterator<DlrnRow> = {
    next: async () => {
      const r = await rows.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: { table, row: r.value } as DlrnRow };
    },
    return: async () => {
      await rows.return?.();
      return { done: true, value: undefined };
    },
  };
  return { rows: tagged, head: await tagged.next(), time };
}

function commitOf(raw: RawRow): DlrnCommitRow {
  return {
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

function joinedOf(raw: RawRow): DlrnJoinedCommit | null {
  if (raw['c_id'] === null || raw['c_id'] === undefined) return null;
  return {
    project_name: text(raw['c_project_name']),
    commit_hash: text(raw['c_commit_hash']),
    distro_hash: text(raw['c_distro_hash']),
    extended_hash: optText(raw['c_extended_hash']),
    component: optText(raw['c_component']),
  };
}

function voteOf(raw: RawRow): Omit<DlrnAggregateVoteRow, 'ref_hash'> {
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
