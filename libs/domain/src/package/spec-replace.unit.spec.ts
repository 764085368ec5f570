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

  describe('given an entry DLRN would misread or crash on', () => {
    it.each([
      ['nothing-to-split', "expected 'regex/replacement' (no '/' found)"],
      ['a/b/c', "neither part may contain '/'"],
      ['/x', 'the regex is empty'],
      ['(unclosed/x', 'the regex does not compile'],
      ['(a)/\\2', 'refers to group 2, which the pattern does not have'],
      ['a/\\g<nope>', 'refers to group nope'],
      ['a/\\q', 'unknown escape \\q'],
    ])('refuses %j, naming it', (entry, reason) => {
      expect(() => parseSpecReplaceRule(entry)).toThrow(
        `downstream_spec_replace_list entry ${JSON.stringify(entry)}: `,
      );
      expect(() => parseSpecReplaceRule(entry)).toThrow(reason);
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

  it('leaves a spec without %changelog as it is', () => {
    expect(withChangelog('Name: x\n', changelogOf(downstream))).toBe('Name: x\n');
  });
});
