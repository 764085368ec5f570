import { describe, expect, it } from 'vitest';
import {
  applySpecReplaceRules,
  changelogOf,
  parseSpecReplaceList,
  parseSpecReplaceRule,
  withChangelog,
} from './spec-replace.js';

const apply = (spec: string, ...entries: string[]) => applySpecReplaceRules(spec, parseSpecReplaceList(entries));

describe('downstream_spec_replace_list (DLRN _transform_spec)', () => {
  it("rewrites DLRN's own example line by line, keeping the rest", () => {
    expect(apply('%global with_doc 1\nfoo', '^%global with_doc.*/%global with_doc 0')).toBe('%global with_doc 0\nfoo');
  });

  it('applies the rules in order to every line, every match', () => {
    expect(apply('a-a\nb\n', 'a/b', 'b/c')).toBe('c-c\nc\n');
  });

  it("matches $ before the line's end, as Python's re.sub does", () => {
    expect(apply('Release: 1\nx\n', '1$/2')).toBe('Release: 2\nx\n');
  });

  it('expands Python group references: \\1, \\g<2> and \\g<name>', () => {
    expect(apply('Version: 1.2\n', '^(Version:) (?P<v>.*)/\\1 \\g<v>.0 \\g<2>')).toBe('Version: 1.2.0 1.2\n');
  });

  it('keeps $ and an unknown non-letter escape literal', () => {
    expect(apply('x\n', 'x/$1 \\%')).toBe('$1 \\%\n');
  });

  it("accepts sed's trailing slash", () => {
    expect(apply('a\n', 'a/b/')).toBe('b\n');
  });

  it('leaves a spec untouched when the list is empty', () => {
    expect(applySpecReplaceRules('a\r\nb', [])).toBe('a\r\nb');
  });

  it('leaves a line without a match as it is, and a last line without its end', () => {
    expect(apply('x\ny', 'z/q')).toBe('x\ny');
    expect(apply('\n\nx', '^$/e')).toBe('e\ne\nx');
  });

  it('expands \\1 in a pattern without named groups', () => {
    expect(apply('a1 b2\n', '([a-z])(\\d)/\\2\\1')).toBe('1a 2b\n');
  });

  it('reads a two-digit group reference as one group, and stops at two digits', () => {
    const twelve = '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)';
    expect(apply('abcdefghijkl\n', `${twelve}/\\12\\1`)).toBe('la\n');
    expect(apply('abcdefghijkl\n', `${twelve}/\\123`)).toBe('l3\n');
  });

  it('expands \\g<N> by number, next to other text', () => {
    expect(apply('ab\n', '(a)(b)/<\\g<2>\\g<1>>')).toBe('<ba>\n');
  });

  it('replaces a group that took no part in the match by nothing', () => {
    expect(apply('b\n', '(a)|b/[\\1]')).toBe('[]\n');
    expect(apply('b\n', '(?P<x>a)|b/[\\g<x>]')).toBe('[]\n');
  });

  it("turns Python's (?P=name) into a back-reference", () => {
    expect(apply('aa ab\n', '(?P<cc>a)(?P=cc)/X')).toBe('X ab\n');
  });

  it("writes Python's escapes as the characters they stand for", () => {
    expect(apply('x\n', 'x/1\\n2\\t3\\r4\\f5\\v6\\a7\\b8')).toBe('1\n2\t3\r4\f5\v6\x077\b8\n');
  });

  it('writes \\\\ as one backslash and does not read what follows it as an escape', () => {
    expect(apply('x\n', 'x/a\\\\nb')).toBe('a\\nb\n');
  });

  it('reads \\g<12> as group 12, a name holding digits as a name, and \\\\g<1> as literal text', () => {
    const twelve = '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)';
    expect(apply('abcdefghijkl\n', `${twelve}/\\g<12>`)).toBe('l\n');
    expect(apply('x\n', '(?P<a1>x)/[\\g<a1>]')).toBe('[x]\n');
    expect(apply('x\n', '(x)/\\\\g<1>')).toBe('\\g<1>\n');
  });

  it('keeps the text around a group, and an empty replacement deletes the match', () => {
    expect(apply('key=1\n', '(=)/ \\1 ')).toBe('key = 1\n');
    expect(apply('%global x 1\n', '^%global x.*/')).toBe('\n');
  });

  describe('given an entry DLRN would misread or crash on', () => {
    it.each([
      ['nothing-to-split', "expected 'regex/replacement' (no '/' found)"],
      ['a/b/c', "neither part may contain '/'"],
      ['/x', 'the regex is empty'],
      ['(unclosed/x', 'the regex does not compile'],
      ['(a)/\\2', 'refers to group 2, which the pattern does not have'],
      ['a/\\g<nope>', 'refers to group nope'],
      ['a/\\q', 'unknown escape \\q'],
      ['a/b/c/', "neither part may contain '/'"],
      ['a/b\\', 'the replacement ends with a lone backslash'],
      ['a/\\1', 'refers to group 1, which the pattern does not have'],
      ['(?P<n>a)/\\g<m>', 'refers to group m, which the pattern does not have'],
      ['(?<=x/y', 'the regex does not compile (Invalid regular expression'],
      ['(a)/\\g<1a>', 'refers to group 1a, which the pattern does not have'],
    ])('refuses %j, naming it', (entry, reason) => {
      expect(() => parseSpecReplaceRule(entry)).toThrow(
        `downstream_spec_replace_list entry ${JSON.stringify(entry)}: `,
      );
      expect(() => parseSpecReplaceRule(entry)).toThrow(reason);
      expect(() => parseSpecReplaceRule(entry)).toThrow(
        expect.objectContaining({ code: 'SPEC_REPLACE_RULE_INVALID', details: { entry } }),
      );
    });
  });
});

describe('keep_changelog with use_upstream_spec', () => {
  const downstream = 'Name: x\n%changelog\n* Mon Jan 01 2024 Down <d@x> - 1\n- downstream\n';
  const upstream = 'Name: x\n%global up 1\n%changelog\n* Tue Jan 02 2024 Up <u@x> - 2\n- upstream\n';

  it('puts the downstream changelog in place of the upstream one', () => {
    expect(withChangelog(upstream, changelogOf(downstream))).toBe(
      'Name: x\n%global up 1\n%changelog\n* Mon Jan 01 2024 Down <d@x> - 1\n- downstream\n',
    );
  });

  it('takes the changelog only from a line that starts with %changelog, to the very end', () => {
    expect(changelogOf('Name: x\n# see %changelog below\n')).toBe('');
    expect(changelogOf('%changelog\n- a\n\n- b')).toBe('%changelog\n- a\n\n- b');
    expect(withChangelog('%changelog\n- old\n', '%changelog\n- new\n')).toBe('%changelog\n- new\n');
    expect(withChangelog('Name: x # %changelog\n%changelog\n- old\n', '')).toBe('Name: x # %changelog\n');
  });

  it('leaves a spec without %changelog as it is', () => {
    expect(withChangelog('Name: x\n', changelogOf(downstream))).toBe('Name: x\n');
  });
});
