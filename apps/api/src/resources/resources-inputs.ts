import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';

/** Inputs of our own resources; validated with the same rules (and messages) as DLRN's. */

const STATUSES = ['SUCCESS', 'FAILED', 'RETRY', 'NO_BUILD'];
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

/** A status filter: the accepted values are both checked and documented (the OpenAPI enum). */
const statusIn = (allowed: readonly string[]) =>
  ({
    kind: 'strictStr',
    enum: allowed,
    check: (value: string) => {
      if (!allowed.includes(value))
        throw new DlrnHttpError(400, `Invalid status ${value}: expected one of ${allowed.join(', ')}`);
      return value;
    },
  }) as const;

/** Epoch seconds, or an ISO 8601 date/time (UTC unless it says otherwise). */
export function parseInstant(name: string) {
  return (value: string): number => {
    if (/^\d{1,12}$/.test(value)) return Number(value);
    const at = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at)) {
      throw new DlrnHttpError(400, `Invalid ${name} ${value}: expected epoch seconds or an ISO 8601 date`);
    }
    return Math.floor(at / 1000);
  };
}

/** Opaque page cursors: the result position of the last build of the previous page. */
export function encodeCursor(position: number): string {
  return Buffer.from(`p${position}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const decoded = /^p(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!decoded) throw new DlrnHttpError(400, 'Invalid cursor: pass the `next` link of a previous page unchanged');
  return Number(decoded[1]);
}

export interface PackagesInput {
  status: string | null;
  component: string | null;
  name: string | null;
}

export const PACKAGES: ModelSpec<PackagesInput> = {
  fields: {
    status: { ...statusIn(STATUSES), description: 'Only packages whose last build has this status' },
    component: { kind: 'strictStr', description: 'Only packages of this component' },
    name: { kind: 'strictStr', description: 'Package name prefix', example: 'python-' },
  },
};

export interface BuildsInput {
  package: string | null;
  status: string | null;
  component: string | null;
  commit_hash: string | null;
  since: number | null;
  until: number | null;
  limit: number;
  cursor: number | null;
}

/**
 * The next page's link, from the validated input (never the request's URL: an answer is cached
 * by its input, so it must not echo anything else); `package` stays in the path when it is there.
 */
export function nextPageHref(path: string, input: BuildsInput, cursor: string): string {
  const query = new URLSearchParams();
  const filters = { ...input, package: path === '/api/builds' ? input.package : null };
  for (const name of ['package', 'status', 'component', 'commit_hash', 'since', 'until'] as const) {
    const value = filters[name];
    if (value !== null) query.set(name, String(value));
  }
  if (input.limit !== DEFAULT_PAGE) query.set('limit', String(input.limit));
  query.set('cursor', cursor);
  return `${path}?${query.toString()}`;
}

/** The `limit` query parameter of a paged resource: 1 to `max`, `fallback` when absent. */
export function pageLimitField(fallback: number, max: number) {
  return {
    kind: 'int',
    default: fallback,
    description: `Page size, 1–${max} (default ${fallback})`,
    check: (value: number) => {
      if (value < 1 || value > max) throw new DlrnHttpError(400, `Invalid limit ${value}: expected 1 to ${max}`);
      return value;
    },
  } as const;
}

export const BUILDS: ModelSpec<BuildsInput> = {
  fields: {
    package: { kind: 'strictStr', description: 'Only builds of this package' },
    status: { ...statusIn(['SUCCESS', 'FAILED', 'RETRY']), description: 'Only builds with this result' },
    component: { kind: 'strictStr', description: 'Only builds of this component' },
    commit_hash: { kind: 'strictStr', description: 'Only builds of this upstream commit' },
    since: {
      kind: 'str',
      description: 'dt_build ≥ this (epoch seconds or ISO 8601)',
      example: '2026-11-01',
      check: parseInstant('since'),
    },
    until: { kind: 'str', description: 'dt_build < this (epoch seconds or ISO 8601)', check: parseInstant('until') },
    limit: pageLimitField(DEFAULT_PAGE, MAX_PAGE),
    cursor: { kind: 'strictStr', description: 'From the `next` link of the previous page', check: decodeCursor },
  },
};
