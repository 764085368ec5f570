import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';

/** Inputs of our own resources; validated with the same rules (and messages) as DLRN's. */

const STATUSES = ['SUCCESS', 'FAILED', 'RETRY', 'NO_BUILD'];
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

const status = (allowed: readonly string[]) => (value: string) => {
  if (!allowed.includes(value))
    throw new DlrnHttpError(400, `Invalid status ${value}: expected one of ${allowed.join(', ')}`);
  return value;
};

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
    status: { kind: 'strictStr', check: status(STATUSES) },
    component: { kind: 'strictStr' },
    name: { kind: 'strictStr' },
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

const limit = (value: number) => {
  if (value < 1 || value > MAX_PAGE) throw new DlrnHttpError(400, `Invalid limit ${value}: expected 1 to ${MAX_PAGE}`);
  return value;
};

export const BUILDS: ModelSpec<BuildsInput> = {
  fields: {
    package: { kind: 'strictStr' },
    status: { kind: 'strictStr', check: status(['SUCCESS', 'FAILED', 'RETRY']) },
    component: { kind: 'strictStr' },
    commit_hash: { kind: 'strictStr' },
    since: { kind: 'str', check: parseInstant('since') },
    until: { kind: 'str', check: parseInstant('until') },
    limit: { kind: 'int', default: DEFAULT_PAGE, check: limit },
    cursor: { kind: 'strictStr', check: decodeCursor },
  },
};
