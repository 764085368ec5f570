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

/**
 * Whether `value` matches the wildcard pattern, in time proportional to pattern × value length
 * (a backtracking regular expression would take exponential time on runs of `%`): the usual
 * greedy scan that remembers the last `%` and retries from there.
 */
function wildcardMatch(pattern: readonly string[], value: readonly string[]): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '_' || (pattern[p] !== '%' && pattern[p] === value[v]))) {
      p += 1;
      v += 1;
    } else if (p < pattern.length && pattern[p] === '%') {
      star = p;
      resume = v;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      resume += 1;
      v = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '%') p += 1;
  return p === pattern.length;
}

export function likePattern(pattern: string): LikePattern {
  // Code points, as SQL counts characters; a run of % is one %.
  const chars = [...pattern].filter((c, i, all) => c !== '%' || all[i - 1] !== '%');
  const first = chars.findIndex((c) => c === '%' || c === '_');
  const prefix = first === -1 ? pattern : chars.slice(0, first).join('');
  const tail = first === -1 ? [] : chars.slice(first);
  return {
    prefix,
    exact: first === -1,
    prefixOnly: tail.length > 0 && tail.every((c) => c === '%'),
    matches: (value) => value !== null && wildcardMatch(chars, [...value]),
  };
}
