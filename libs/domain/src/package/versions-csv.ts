import { DomainError } from '../shared/errors.js';

/**
 * One row of a DLRN `versions.csv`, as the downstream driver pins a package with it. Values are
 * kept as the file wrote them; `pinnedCommit` checks the ones a build depends on, when the
 * package is built, so that one odd row of a package nobody builds here blocks nothing.
 */
export interface VersionsRow {
  readonly project: string;
  readonly sourceRepo: string;
  readonly sourceSha: string;
  readonly distRepo: string;
  readonly distSha: string;
  readonly status: string;
  readonly lastSuccessTimestamp: string;
  /** The file this row came from (DLRN's `versions_csv` column, report.html's Import Source). */
  readonly url: string;
  /** 1-based line of the file where the row starts. */
  readonly line: number;
}

/** A versions.csv that cannot be read as one: the message names the URL and the line. */
export class VersionsCsvError extends DomainError {
  constructor(url: string, line: number | null, reason: string) {
    super('VERSIONS_CSV_INVALID', `versions.csv ${url}${line === null ? '' : `, line ${line}`}: ${reason}`, {
      url,
      line,
    });
  }
}

/**
 * DLRN reads columns by position (`row[1:]` then `version[1]`, `[3]`, `[5]`): the first seven
 * have been the same in every versions.csv DLRN ever wrote (Component, Extended Sha and Pkg NVR
 * came later, after them). The header is checked so that an error page served with status 200
 * is not read as pins.
 */
const HEADER = [
  'Project',
  'Source Repo',
  'Source Sha',
  'Dist Repo',
  'Dist Sha',
  'Status',
  'Last Success Timestamp',
] as const;

/** Records of a CSV text as Python's csv.reader (excel dialect) splits them, with their first line. */
function records(text: string, url: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    if (fields.length > 0 || fieldStarted) endField();
    // csv.reader yields [] for a blank line; DLRN would then fail on row[0]: skipped here.
    if (fields.length > 0) out.push({ fields, line: recordLine });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\0') throw new VersionsCsvError(url, line, 'contains a NUL byte');
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    // A quote opens a field only at its start (a field holds text only once started).
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new VersionsCsvError(url, recordLine, 'a quoted field is not closed before the end of the file');
  endRecord();
  return out;
}

/**
 * Parses one versions.csv (DLRN's `_getversions` for one URL): the header line, then one row
 * per package, `Project` first. Throws VersionsCsvError for what is not a versions.csv.
 */
export function parseVersionsCsv(text: string, url: string): Map<string, VersionsRow> {
  const rows = records(text.startsWith('\uFEFF') ? text.slice(1) : text, url);
  const header = rows.shift();
  if (header === undefined) throw new VersionsCsvError(url, null, 'the file is empty');
  const missing = HEADER.findIndex((name, i) => header.fields[i]?.trim() !== name);
  if (missing !== -1) {
    throw new VersionsCsvError(
      url,
      header.line,
      `not a DLRN versions.csv header: column ${missing + 1} should be '${HEADER[missing]}', found ${JSON.stringify(
        (header.fields[missing] ?? '').slice(0, 80),
      )}`,
    );
  }
  const table = new Map<string, VersionsRow>();
  for (const { fields, line } of rows) {
    if (fields.length < HEADER.length) {
      throw new VersionsCsvError(url, line, `${fields.length} columns, at least ${HEADER.length} expected`);
    }
    const [project, sourceRepo, sourceSha, distRepo, distSha, status, lastSuccessTimestamp] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (project === '') throw new VersionsCsvError(url, line, "the 'Project' column is empty");
    // A package listed twice: the later row wins, as in DLRN's dict.
    table.set(project, { project, sourceRepo, sourceSha, distRepo, distSha, status, lastSuccessTimestamp, url, line });
  }
  return table;
}

/** Several versions.csv in `versions_url` order: a later file's row replaces an earlier one's. */
export function mergeVersions(tables: readonly ReadonlyMap<string, VersionsRow>[]): Map<string, VersionsRow> {
  const merged = new Map<string, VersionsRow>();
  for (const table of tables) for (const [name, row] of table) merged.set(name, row);
  return merged;
}

/** What a versions.csv row pins a package to. */
export interface PinnedCommit {
  readonly commitHash: string;
  readonly distroHash: string;
  /** "Last Success Timestamp", epoch seconds (DLRN's dt_commit). */
  readonly dtCommit: number;
}

/** A git object name: SHA-1 or SHA-256, full length (what DLRN writes). */
const FULL_HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** What Python's float() accepts that is a finite, non-negative time (no `nan`, `inf`, `None`). */
const TIMESTAMP = /^\s*\+?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?\s*$/;

/**
 * The commits a row pins, checked: both hashes are full git hashes (they become checkouts and
 * repository paths), and the timestamp is a number. The timestamp message is DLRN's own.
 */
export function pinnedCommit(row: VersionsRow): PinnedCommit {
  for (const [column, value] of [
    ['Source Sha', row.sourceSha],
    ['Dist Sha', row.distSha],
  ] as const) {
    if (!FULL_HASH.test(value)) {
      throw new VersionsCsvError(
        row.url,
        row.line,
        `"${column}" of package "${row.project}" is ${JSON.stringify(value.slice(0, 80))}, not a full git commit hash`,
      );
    }
  }
  const time = TIMESTAMP.test(row.lastSuccessTimestamp) ? Number(row.lastSuccessTimestamp.replaceAll('_', '')) : NaN;
  if (!Number.isFinite(time)) {
    throw new VersionsCsvError(
      row.url,
      row.line,
      `In versions file ${row.url}, "Last Success Timestamp" field of package "${row.project}" has an invalid ` +
        'timestamp value. Contact a DLRN administrator with this info for assistance.',
    );
  }
  // DLRN stores dt_commit in an integer column.
  return { commitHash: row.sourceSha, distroHash: row.distSha, dtCommit: Math.floor(time) };
}
