import { didYouMean } from '../shared/suggest.js';

/** A `%(key)s` that cannot be resolved; `key` is the top-level key whose text is at fault. */
export class InterpolationError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key}: ${reason}`);
    this.name = 'InterpolationError';
  }
}

/**
 * Applies Python %-formatting with the entry itself as the mapping (distroinfo's
 * `substitute_package`: `val % pkg` on every top-level string): `%(key)s` and `%%`.
 *
 * Differences from distroinfo, all deliberate:
 * - Referenced values are themselves resolved first (`upstream: …/%(name)s` with
 *   `name: python-%(project)s` gives `…/python-nova`; distroinfo substitutes once and leaves a
 *   literal `%(project)s`). So a reference cycle is possible, and is refused.
 * - Only `%(key)s` and `%%` are accepted; another `%` sequence is refused with a hint (Python
 *   would raise ValueError, or format the whole entry for a bare `%s`).
 * - A reference to a list, mapping or null is refused (Python would print its repr).
 * Lists and nested mappings are not interpolated, as in distroinfo.
 */
export function interpolateEntry(entry: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const resolved = new Map<string, string>();
  const inProgress: string[] = [];

  const textOf = (key: string, owner: string): string => {
    const done = resolved.get(key);
    if (done !== undefined) return done;
    const raw = entry[key];
    if (typeof raw === 'number') return String(raw);
    if (typeof raw === 'boolean') return raw ? 'True' : 'False';
    if (typeof raw !== 'string') {
      throw new InterpolationError(owner, `'%(${key})s' refers to '${key}', which is not a text value`);
    }
    if (inProgress.includes(key)) {
      const chain = [...inProgress.slice(inProgress.indexOf(key)), key];
      throw new InterpolationError(owner, `interpolation loop: ${chain.join(' → ')}`);
    }
    inProgress.push(key);
    const text = expand(raw, key);
    inProgress.pop();
    resolved.set(key, text);
    return text;
  };

  const expand = (text: string, owner: string): string => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (char !== '%') {
        out += char;
        continue;
      }
      const next = text[i + 1];
      if (next === '%') {
        out += '%';
        i++;
        continue;
      }
      const close = next === '(' ? text.indexOf(')', i + 2) : -1;
      if (close < 0 || text[close + 1] !== 's') {
        const shown = close < 0 ? text.slice(i, i + 3) : text.slice(i, close + 2);
        throw new InterpolationError(
          owner,
          `unsupported '${shown}' in ${JSON.stringify(text)}: write %(key)s for a value, %% for a percent sign`,
        );
      }
      const ref = text.slice(i + 2, close);
      if (!Object.hasOwn(entry, ref)) {
        throw new InterpolationError(
          owner,
          `'%(${ref})s' refers to unknown key '${ref}'${didYouMean(ref, Object.keys(entry))}`,
        );
      }
      out += textOf(ref, owner);
      i = close + 1;
    }
    return out;
  };

  const result: Record<string, unknown> = { ...entry };
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value === 'string') result[key] = textOf(key, key);
  }
  return result;
}
