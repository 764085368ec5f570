/**
 * An SQL `LIKE` pattern (`%` any run, `_` any one character, no escape character: DLRN passes
 * the argument to SQLAlchemy's `like()` as is) split into what the store can filter on — the
 * literal text before the first wildcard, as a prefix — and a matcher for the rest. Matching is
 * case-sensitive (hashes are lower-case hex; SQLite's LIKE would ignore ASCII case).
 */
export interface LikePattern {
  /** Literal head of the pattern ('' when it starts with a wildcard). */
  readonly prefix: string;
  /** The whole pattern is a literal: equality says it all. */
  readonly exact: boolean;
  /** The pattern is `<literal>%`: the prefix says it all. */
  readonly prefixOnly: boolean;
  matches(value: string | null): boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function likePattern(pattern: string): LikePattern {
  const chars = [...pattern];
  const first = chars.findIndex((c) => c === '%' || c === '_');
  const prefix = first === -1 ? pattern : chars.slice(0, first).join('');
  const source = chars.map((c) => (c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : escapeRegExp(c))).join('');
  const regex = new RegExp(`^${source}$`, 'u');
  const tail = first === -1 ? [] : chars.slice(first);
  return {
    prefix,
    exact: first === -1,
    prefixOnly: tail.length > 0 && tail.every((c) => c === '%'),
    matches: (value) => value !== null && regex.test(value),
  };
}
