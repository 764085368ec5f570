import { GraphqlQueryError } from './graphql.errors.js';

/**
 * Relay plumbing as graphene makes it: DLRN's object types are Relay `Node`s, so their `id` is a
 * global ID (base64 of `<Type>:<id>`), and one-to-many relations are connections whose cursors
 * are base64 of `arrayconnection:<index>`.
 */
export function toGlobalId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
}

export function fromGlobalId(globalId: string): { type: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || toGlobalId(decoded.slice(0, colon), decoded.slice(colon + 1)) !== globalId) {
    throw new GraphqlQueryError(`Unable to parse global ID "${globalId}"`);
  }
  return { type: decoded.slice(0, colon), id: decoded.slice(colon + 1) };
}

export interface ConnectionArgs {
  readonly before?: string | null;
  readonly after?: string | null;
  readonly first?: number | null;
  readonly last?: number | null;
}

export interface Connection<T> {
  readonly edges: readonly { readonly node: T; readonly cursor: string }[];
  readonly pageInfo: {
    readonly startCursor: string | null;
    readonly endCursor: string | null;
    readonly hasPreviousPage: boolean;
    readonly hasNextPage: boolean;
  };
}

const CURSOR_PREFIX = 'arrayconnection:';
const cursorOf = (index: number) => Buffer.from(`${CURSOR_PREFIX}${index}`, 'utf8').toString('base64');

function indexOf(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX)) return null;
  const index = Number(decoded.slice(CURSOR_PREFIX.length));
  return Number.isSafeInteger(index) ? index : null;
}

/** A page of `items` per the Relay connection arguments; at most `max` edges (`first` defaults to it). */
export function connectionOf<T>(items: readonly T[], args: ConnectionArgs, max: number): Connection<T> {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value !== null && value !== undefined && value < 0) {
      throw new GraphqlQueryError(`Argument "${name}" must be a non-negative integer`);
    }
  }
  const after = indexOf(args.after);
  const before = indexOf(args.before);
  let start = after !== null && after >= 0 && after < items.length ? after + 1 : 0;
  let end = before !== null && before >= 0 && before < items.length ? before : items.length;
  const lower = start;
  const upper = end;
  const last = args.last ?? null;
  const first = args.first ?? (last === null ? max : null);
  if (first !== null) end = Math.min(end, start + Math.min(first, max));
  if (last !== null) start = Math.max(start, end - Math.min(last, max));
  const edges = items.slice(start, end).map((node, i) => ({ node, cursor: cursorOf(start + i) }));
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage: last !== null ? start > lower : false,
      hasNextPage: first !== null ? end < upper : false,
    },
  };
}
