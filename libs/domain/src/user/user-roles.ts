import { InvalidValueError } from '../shared/errors.js';

/**
 * What a user may do. DLRN has no roles: every user may do everything, which stays the rule for
 * a user with none set. `admin` grants every other role.
 * - `read`: the reads, when `protect_read_endpoints` makes them need credentials (every role
 *   may read; `read` alone is a read-only account);
 * - `vote`: CI votes (`report_result`, and `POST last_tested_repo`, which records one);
 * - `promote`: `promote`, `promote-batch`;
 * - `import`: `remote/import`;
 * - `admin`: the above, and operators' actions (`recheck_package`).
 */
export const ROLES = ['read', 'vote', 'promote', 'import', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** `read,vote` → the roles, sorted and without repeats; an empty text is none (DLRN's "may do all"). */
export function parseRoles(text: string): Role[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!isRole(name)) throw new InvalidValueError('roles', name, `a comma-separated list of ${ROLES.join(', ')}`);
  }
  return ROLES.filter((role) => names.includes(role));
}

/**
 * Whether a user with `roles` (none: DLRN's behaviour, everything) may act as `needed`. Every
 * role may read: a CI account that votes reads what it votes on.
 */
export function mayAct(roles: readonly Role[] | undefined, needed: Role): boolean {
  if (roles === undefined || roles.length === 0 || needed === 'read') return true;
  return roles.includes('admin') || roles.includes(needed);
}
