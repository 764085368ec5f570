import type { Role } from '#domain/user/user-roles.js';

/** Who may call a route: anyone, readers (anyone unless reads are protected), or writers. */
export type Access = 'public' | 'read' | 'write';

/**
 * Documentation and assets are never protected; DLRN leaves `/metrics` open too, and load
 * balancers ask `/api/ready` without credentials (it tells positions only). Forges' webhooks
 * (`/api/webhooks/`) prove themselves by signature, checked by their route, not by Basic auth.
 */
const PUBLIC_PREFIXES = ['/api/openapi.json', '/api/docs', '/api/static/', '/metrics', '/api/ready', '/api/webhooks/'];

/**
 * DLRN's rule: every POST is a write (it authenticates even `POST /api/health`), every GET a
 * read. Unlike DLRN, `/api/graphql` is a read in both methods, so `protect_read_endpoints`
 * covers it.
 */
export function accessOf(method: string, url: string): Access {
  const path = url.split('?', 1)[0]!;
  // An operator's view (the outgoing webhook's failures): credentials even when reads are open.
  if (isAdminRead(method, path)) return 'write';
  if (PUBLIC_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix))) return 'public';
  if (path === '/api/graphql') return 'read';
  return method === 'POST' || method === 'PUT' || method === 'DELETE' || method === 'PATCH' ? 'write' : 'read';
}

/** The role each write needs (DLRN's routes); other writes need a valid user only. */
const WRITE_ROLES: Readonly<Record<string, Role>> = {
  '/api/report_result': 'vote',
  '/api/last_tested_repo': 'vote',
  '/api/promote': 'promote',
  '/api/promote-batch': 'promote',
  '/api/remote/import': 'import',
  '/api/recheck_package': 'admin',
  // Starting a bisection schedules builds, as a recheck does.
  '/api/bisect': 'admin',
  // Sending an event again (issue 18): an operator's action, as a recheck.
  '/api/deliveries/:id/redeliver': 'admin',
};

/** Reads only admins may make: `GET /api/deliveries` (dead letters of the outgoing webhook). */
function isAdminRead(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && path.replace(/\/+$/, '') === '/api/deliveries';
}

/** The role a user needs for an authenticated request; null when any user may. */
export function roleFor(method: string, url: string): Role | null {
  const access = accessOf(method, url);
  if (access === 'public') return null;
  if (isAdminRead(method, url.split('?', 1)[0]!)) return 'admin';
  if (access === 'read') return 'read';
  return WRITE_ROLES[url.split('?', 1)[0]!.replace(/\/+$/, '')] ?? null;
}
