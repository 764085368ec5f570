/** Names DLRN owns: promoting to them is refused. */
export const RESERVED_PROMOTION_NAMES: readonly string[] = ['current', 'consistent'];

export type PromotionNameProblem = 'reserved' | 'path' | null;

/**
 * Why a promotion name cannot be used, if it cannot: a reserved name (`current`, `consistent`,
 * or any name ending in `_`, the temporary name of a link being moved; DLRN answers 403
 * `Invalid promote_name`), or a name that is not a single path segment inside the repos
 * directory (`..`, `a/b`, `.`, empty, NUL): DLRN answers 403 too, or a 500 for `a/b` when `a`
 * does not exist — we answer 403 for all of them.
 */
export function promotionNameProblem(name: string): PromotionNameProblem {
  if (RESERVED_PROMOTION_NAMES.includes(name)) return 'reserved';
  // `<name>_` is where DLRN (and a builder sharing the datadir with DLRN tools) writes the new
  // link before renaming it over `<name>`: a promotion called `current_` would be deleted by
  // the next move of `current`. Every such name is reserved, as DLRN's own temporary names.
  if (name.endsWith('_')) return 'reserved';
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.length > 255) return 'path';
  return null;
}
