import { DomainError } from '../shared/errors.js';

/**
 * `downstream_spec_replace_list`: DLRN's crude sed over the spec copied from the upstream
 * dist-git. Each entry is `regex/replacement`, applied with Python's `re.sub` to every line.
 */
export interface SpecReplaceRule {
  /** The entry as configured, for messages. */
  readonly entry: string;
  readonly pattern: RegExp;
  /** The replacement, split into literal text and group references. */
  readonly parts: readonly (string | { readonly group: number | string })[];
}

/** An entry that cannot be applied: the message names the entry. */
export class SpecReplaceRuleError extends DomainError {
  constructor(entry: string, reason: string) {
    super('SPEC_REPLACE_RULE_INVALID', `downstream_spec_replace_list entry ${JSON.stringify(entry)}: ${reason}`, {
      entry,
    });
  }
}

/**
 * Python's pattern syntax where it differs from JavaScript's and a spec rule may use it: named
 * groups `(?P<name>…)` and their back-references `(?P=name)`. Other Python-only syntax fails to
 * compile and is refused.
 */
function jsPattern(source: string): string {
  return source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b' };

/** Python's replacement template (`\1`, `\g<1>`, `\g<name>`, `\n`, `\\`), parsed once. */
function parseTemplate(entry: string, template: string, groups: number, names: ReadonlySet<string>) {
  const parts: (string | { group: number | string })[] = [];
  let text = '';
  const groupRef = (ref: number | string) => {
    if (typeof ref === 'number' ? ref > groups : !names.has(ref)) {
      throw new SpecReplaceRuleError(entry, `the replacement refers to group ${ref}, which the pattern does not have`);
    }
    parts.push(text, { group: ref });
    text = '';
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '\\') {
      text += c;
      continue;
    }
    const next = template[i + 1];
    if (next === undefined) throw new SpecReplaceRuleError(entry, 'the replacement ends with a lone backslash');
    const digits = /^\d{1,2}/.exec(template.slice(i + 1))?.[0];
    const named = /^g<([^>]*)>/.exec(template.slice(i + 1));
    if (digits !== undefined) {
      groupRef(Number(digits));
      i += digits.length;
    } else if (named) {
      const ref = named[1]!;
      groupRef(/^\d+$/.test(ref) ? Number(ref) : ref);
      i += named[0].length;
    } else if (next === '\\') {
      text += '\\';
      i++;
    } else if (ESCAPES[next] !== undefined) {
      text += ESCAPES[next];
      i++;
    } else if (/[A-Za-z]/.test(next)) {
      throw new SpecReplaceRuleError(entry, `the replacement has an unknown escape \\${next}`);
    } else {
      // Python keeps an unknown non-letter escape as written (`\%` stays `\%`).
      text += `\\${next}`;
      i++;
    }
  }
  parts.push(text);
  return parts;
}

/**
 * Parses and checks one entry. DLRN splits on `/` and uses the first two pieces, dropping the
 * rest without a word; here `regex/replacement` (or `regex/replacement/`, sed's habit) is
 * accepted and any other `/` refused, as is a pattern that does not compile.
 */
export function parseSpecReplaceRule(entry: string): SpecReplaceRule {
  const pieces = entry.split('/');
  if (pieces.length === 3 && pieces[2] === '') pieces.pop();
  if (pieces.length !== 2) {
    throw new SpecReplaceRuleError(
      entry,
      pieces.length < 2
        ? "expected 'regex/replacement' (no '/' found)"
        : "expected 'regex/replacement': neither part may contain '/'",
    );
  }
  const [source, template] = pieces as [string, string];
  if (source === '') throw new SpecReplaceRuleError(entry, 'the regex is empty');
  let pattern: RegExp;
  try {
    pattern = new RegExp(jsPattern(source), 'g');
  } catch (error) {
    throw new SpecReplaceRuleError(entry, `the regex does not compile (${(error as Error).message})`);
  }
  // Group count and names: an empty alternative makes the pattern match '' with every group unset.
  const probe = new RegExp(`${jsPattern(source)}|`).exec('')!;
  const names = new Set(Object.keys(probe.groups ?? {}));
  return { entry, pattern, parts: parseTemplate(entry, template, probe.length - 1, names) };
}

/** Parses every entry; the first bad one throws. */
export function parseSpecReplaceList(entries: readonly string[]): SpecReplaceRule[] {
  return entries.map(parseSpecReplaceRule);
}

/**
 * DLRN's `_transform_spec`: every rule, in order, over every line of the spec. The line's end
 * is set aside while the rules run, so `$` matches before it as in Python's `re.sub`.
 */
export function applySpecReplaceRules(spec: string, rules: readonly SpecReplaceRule[]): string {
  if (rules.length === 0) return spec;
  return spec
    .split(/(?<=\n)/)
    .map((line) => {
      const end = line.endsWith('\n') ? '\n' : '';
      let body = end === '' ? line : line.slice(0, -1);
      for (const rule of rules) {
        body = body.replace(rule.pattern, (...args: unknown[]) => {
          // The groups object comes last only when the pattern has named groups; else the input does.
          const last = args.at(-1);
          const hasNamed = typeof last === 'object';
          const named = (hasNamed ? last : {}) as Record<string, string | undefined>;
          const groups = args.slice(0, hasNamed ? -3 : -2) as (string | undefined)[];
          return rule.parts
            .map((part) =>
              typeof part === 'string'
                ? part
                : ((typeof part.group === 'number' ? groups[part.group] : named[part.group]) ?? ''),
            )
            .join('');
        });
      }
      return body + end;
    })
    .join('');
}

/**
 * DLRN's `_save_changelog`/`_restore_changelog` (`keep_changelog` with `use_upstream_spec`):
 * everything from the first line starting with `%changelog` to the end of the spec.
 */
export function changelogOf(spec: string): string {
  return /^%changelog[\s\S]*/m.exec(spec)?.[0] ?? '';
}

/** `spec` with its changelog (from `%changelog` to the end) replaced by `changelog`. */
export function withChangelog(spec: string, changelog: string): string {
  const match = /^%changelog/m.exec(spec);
  return match === null ? spec : spec.slice(0, match.index) + changelog;
}
