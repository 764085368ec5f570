import { YAML11_SCHEMA, load } from 'js-yaml';
import type { DiscoveredCommit } from '#domain/build/build.events.js';
import { commitRef, packageName, type DatedCommitRef } from '#domain/build/commit-ref.js';
import type { BuildStatus } from '#domain/build/build.state.js';
import { shardedRepoDir } from '#domain/repo/repo-path.js';
import { RemoteImportError } from '#domain/build/remote-import.error.js';

/** One row of a remote `commit.yaml`, validated: every value is safe to use in paths and events. */
export interface RemoteCommit
  extends DatedCommitRef, Pick<DiscoveredCommit, 'commitBranch' | 'component' | 'versionsCsv'> {
  /** Position in the file's `commits` list, for messages. */
  readonly index: number;
  readonly packageName: string;
  readonly dtBuild: number;
  readonly status: BuildStatus;
  /** Relative to datadir, each `repos/<repoDir>/<file>.rpm` (DLRN's `artifacts` column). */
  readonly artifacts: readonly string[];
  readonly notes: string;
  /** The hashed directory, relative to `<datadir>/repos`, computed here (never taken from the file). */
  readonly repoDir: string;
}

/** Limits on what a remote may send; DLRN writes one commit per file and a few dozen RPMs. */
export const COMMIT_YAML_LIMITS = {
  maxBytes: 1024 * 1024,
  maxCommits: 100,
  maxArtifacts: 1000,
  maxNotes: 256 * 1024,
  maxDepth: 8,
} as const;

// Git SHA-1/SHA-256, abbreviated or not; dev mode writes `dev`.
const HASH = /^(?:[0-9a-fA-F]{7,64}|dev)$/;
// Downstream driver: `<distgit sha>_<source sha>`.
const EXTENDED_HASH = /^[0-9a-fA-F]{7,64}(?:_[0-9a-fA-F]{7,64})?$/;
const COMPONENT = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
const RPM_FILE = /^[A-Za-z0-9][A-Za-z0-9._+~^-]{0,250}\.rpm$/;
const DECIMAL = /^\d{1,12}(?:\.\d{1,9})?$/;
// Epoch seconds up to the year 3000: anything larger is a corrupt or hostile row.
const MAX_EPOCH = 32_503_680_000;
const STATUSES: readonly BuildStatus[] = ['SUCCESS', 'FAILED', 'RETRY'];

/**
 * The base URL of a remote hashed repository: http or https only, no credentials (they would
 * end up in the event log), no query or fragment (files are fetched by appending their name).
 * Trailing slashes are dropped so that one repository has one spelling.
 */
export function parseRepoUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RemoteImportError('REMOTE_URL_INVALID', 'repo_url: an http or https URL is required');
  }
  if (value.length > 2048) throw new RemoteImportError('REMOTE_URL_INVALID', 'repo_url: longer than 2048 characters');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new RemoteImportError('REMOTE_URL_INVALID', `repo_url ${JSON.stringify(value)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteImportError(
      'REMOTE_URL_INVALID',
      `repo_url ${JSON.stringify(value)}: only http and https are allowed`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new RemoteImportError('REMOTE_URL_INVALID', 'repo_url: credentials in the URL are not accepted');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new RemoteImportError(
      'REMOTE_URL_INVALID',
      `repo_url ${JSON.stringify(value)}: no query or fragment allowed`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** `<base>/<name>`, for a base returned by parseRepoUrl. */
export function fileUrl(base: URL, name: string): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname}/${encodeURIComponent(name)}`;
  return url;
}

function invalid(where: string, reason: string): never {
  throw new RemoteImportError('REMOTE_COMMIT_INVALID', `commit.yaml: ${where}: ${reason}`);
}

/**
 * What a value is, never what it says: the file may come from a host that is not a DLRN worker,
 * and an error message must not become a way to read it (`a string of 12 characters`).
 */
function kind(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** DLRN writes every column through Python's str(): `None` is null, numbers are strings. */
function isNone(value: unknown): boolean {
  return value === null || value === undefined || value === 'None';
}

class RowReader {
  constructor(
    private readonly row: Record<string, unknown>,
    private readonly at: string,
  ) {}

  where(key: string): string {
    return `${this.at}.${key}`;
  }

  string(key: string, options: { required: boolean; max: number }): string | null {
    const value = this.row[key];
    if (isNone(value) || value === '') {
      if (options.required) invalid(this.where(key), 'missing');
      return null;
    }
    if (typeof value !== 'string') invalid(this.where(key), `expected a string, got ${kind(value)}`);
    if (value.length > options.max) invalid(this.where(key), `longer than ${options.max} characters`);
    return value;
  }

  matching(key: string, pattern: RegExp, what: string, required: boolean): string | null {
    const value = this.string(key, { required, max: 200 });
    if (value !== null && !pattern.test(value)) invalid(this.where(key), `not ${what}`);
    return value;
  }

  epoch(key: string, required: boolean): number | null {
    const value = this.row[key];
    if (isNone(value) || value === '') {
      if (required) invalid(this.where(key), 'missing');
      return null;
    }
    const number =
      typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(number) || number < 0 || number > MAX_EPOCH) {
      invalid(this.where(key), `expected epoch seconds, got ${kind(value)}`);
    }
    return number;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function parseArtifacts(reader: RowReader, value: string | null, repoDir: string): string[] {
  if (value === null) return [];
  const prefix = `repos/${repoDir}/`;
  const items = value.split(',').map((item) => item.trim());
  if (items.length > COMMIT_YAML_LIMITS.maxArtifacts) {
    invalid(reader.where('artifacts'), `more than ${COMMIT_YAML_LIMITS.maxArtifacts} artifacts`);
  }
  const names = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    const at = `${reader.where('artifacts')}[${i}]`;
    // Only the file name is fetched and written, but a path elsewhere means a forged row.
    if (!item.startsWith(prefix)) invalid(at, 'not under repos/<the hashed directory of the commit>/');
    const name = item.slice(prefix.length);
    if (!RPM_FILE.test(name) || name.includes('..')) invalid(at, 'not a plain .rpm file name');
    const first = names.get(name);
    if (first !== undefined) invalid(at, `the same file as artifacts[${first}]`);
    names.set(name, i);
  }
  return items;
}

function parseRow(raw: unknown, index: number): RemoteCommit {
  const at = `commits[${index}]`;
  if (!isMapping(raw)) invalid(at, `expected a mapping, got ${kind(raw)}`);
  const r = new RowReader(raw, at);
  const name = r.string('project_name', { required: true, max: 256 })!;
  try {
    packageName(name);
  } catch {
    invalid(r.where('project_name'), 'not a package name (letters, digits and . _ + - only)');
  }
  const type = r.string('type', { required: false, max: 32 }) ?? 'rpm';
  if (type !== 'rpm') invalid(r.where('type'), 'only rpm builds can be imported');
  const commitHash = r.matching('commit_hash', HASH, 'a hex commit hash', true)!;
  const distroHash = r.matching('distro_hash', HASH, 'a hex commit hash', true)!;
  const extendedHash = r.matching('extended_hash', EXTENDED_HASH, 'a hex hash or <hash>_<hash>', false);
  const component = r.matching('component', COMPONENT, 'a component name', false);
  if (component !== null && component.includes('..')) invalid(r.where('component'), "'..' in a component name");
  const status = r.string('status', { required: true, max: 16 })!;
  if (!STATUSES.includes(status as BuildStatus)) {
    invalid(r.where('status'), 'expected SUCCESS, FAILED or RETRY');
  }
  const commitBranch = r.string('commit_branch', { required: false, max: 256 }) ?? '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(commitBranch)) invalid(r.where('commit_branch'), 'control characters');
  const ref = commitRef(commitHash, distroHash, extendedHash);
  const repoDir = shardedRepoDir({ ...ref, component });
  const artifacts = parseArtifacts(r, r.string('artifacts', { required: false, max: 512 * 1024 }), repoDir);
  if (status === 'SUCCESS' && artifacts.length === 0) invalid(r.where('artifacts'), 'a successful build lists no RPM');
  return {
    index,
    packageName: name,
    ...ref,
    dtCommit: r.epoch('dt_commit', true)!,
    dtDistro: r.epoch('dt_distro', true)!,
    dtExtended: r.epoch('dt_extended', false),
    dtBuild: Math.trunc(r.epoch('dt_build', true)!),
    commitBranch,
    component,
    status: status as BuildStatus,
    artifacts,
    notes: r.string('notes', { required: false, max: COMMIT_YAML_LIMITS.maxNotes }) ?? '',
    versionsCsv: r.string('versions_csv', { required: false, max: 2048 }),
    repoDir,
  };
}

/**
 * Reads a remote `commit.yaml` (DLRN `loadYAML_list`): `{commits: [row…]}` with DLRN's `str()`
 * values. Untrusted input: YAML 1.1 core types only (no custom tags), bounded size and depth;
 * every field checked with a message naming the commit and the field. `id`, `flags`,
 * `repo_dir` and `distgit_dir` are the worker's and are ignored, as DLRN resets or rewrites them.
 */
export function parseCommitYaml(text: string): RemoteCommit[] {
  if (Buffer.byteLength(text) > COMMIT_YAML_LIMITS.maxBytes) {
    invalid('file', `larger than ${COMMIT_YAML_LIMITS.maxBytes} bytes`);
  }
  let doc: unknown;
  try {
    doc = load(text, { schema: YAML11_SCHEMA, maxDepth: COMMIT_YAML_LIMITS.maxDepth, filename: 'commit.yaml' });
  } catch (error) {
    // js-yaml's message quotes the offending text: only the position is reported.
    const mark = (error as { mark?: { line?: unknown; column?: unknown } }).mark;
    const at =
      typeof mark?.line === 'number' && typeof mark.column === 'number'
        ? ` (line ${mark.line + 1}, column ${mark.column + 1})`
        : '';
    invalid('file', `not valid YAML${at}`);
  }
  if (!isMapping(doc)) invalid('file', `expected a mapping with a 'commits' list, got ${kind(doc)}`);
  const commits = doc['commits'];
  if (!Array.isArray(commits)) invalid('commits', `expected a list, got ${kind(commits)}`);
  if (commits.length === 0) invalid('commits', 'empty');
  if (commits.length > COMMIT_YAML_LIMITS.maxCommits) invalid('commits', `more than ${COMMIT_YAML_LIMITS.maxCommits}`);
  return commits.map((raw, index) => parseRow(raw, index));
}
