import { describe, expect, it } from 'vitest';
import { expandMacros, parseSpecBasics, rewriteSpec, setupDirectory, SpecParseError } from './spec-rewrite.js';

// Edge cases of spec reading and rewriting that the main spec's realistic file does not reach;
// each pins one reading rule (the mutation report of libs/domain listed them as untested).

const REWRITE = {
  upstreamVersion: '1.2.1',
  version: '1.2.1',
  release: '0.1',
  dlrnNvr: 'a-1.2.1-0.1',
  tarball: 'a-1.2.1-0.1.tar.gz',
  keepChangelog: false,
};
const HEADER = '%global dlrn_nvr a-1.2.1-0.1\n%global dlrn 1\n%define upstream_version 1.2.1\n';

const problemOf = (text: string): string => {
  try {
    parseSpecBasics(text);
  } catch (error) {
    if (error instanceof SpecParseError) return error.message;
    throw error;
  }
  return 'parsed';
};

describe('reading the preamble of a spec', () => {
  it('ends it only at a section line, not at a section named inside a tag or a longer macro', () => {
    const spec = 'Name: a\nSummary: see %description\n%pre_hook_macro\nVersion: 2\n';
    expect(parseSpecBasics(spec).version).toBe('2');
  });

  it('reads tags in any case, with blanks around the colon', () => {
    const basics = parseSpecBasics('name: a\n  version :  3\nSource :  a.tgz\n');
    expect([basics.name, basics.version, basics.source0]).toEqual(['a', '3', 'a.tgz']);
  });

  it('names what is missing or wrong', () => {
    expect(problemOf('Version: 1\n')).toBe('spec file does not parse: no Name: tag in the preamble');
    expect(problemOf('Name:\nVersion: 1\n')).toBe('spec file does not parse: the Name: tag is empty');
    expect(problemOf('Name: a\n')).toBe('spec file does not parse: no Version: tag in the preamble');
    expect(problemOf('Name: a\nVersion:\n')).toBe('spec file does not parse: the Version: tag is empty');
    expect(problemOf('Name: a\0\nVersion: 1\n')).toBe('spec file does not parse: it is not a text file');
    expect(problemOf('Name: a b\nVersion: 1\n')).toBe('spec file does not parse: Name: "a b" is not a package name');
    expect(problemOf('Name: %{nope}\nVersion: 1\n')).toMatch(/uses a macro the spec does not define$/);
  });

  it('knows definitions however they are indented or spaced, and NAME, VERSION, RELEASE', () => {
    const basics = parseSpecBasics(
      '  %global  srcname   foo\n%define other bar\nName: %{srcname}\nVersion: 1\nRelease: 7\n',
    );
    expect(basics.name).toBe('foo');
    expect(basics.macros.get('other')).toBe('bar');
    expect(expandMacros('%{NAME}-%{VERSION}-%{RELEASE}', basics.macros)).toBe('foo-1-7');
  });
});

describe('reading the %setup line', () => {
  const setupOf = (line: string) => parseSpecBasics(`Name: a\nVersion: 1\n%prep\n${line}\n`).setup;

  it('reads -n as a separate or an attached argument, braces and their blanks kept together', () => {
    expect(setupOf('%setup -q -n foo-1')).toEqual({ macro: 'setup', directory: 'foo-1', createsDirectory: false });
    expect(setupOf('%setup -nfoo-2 -q')).toEqual({ macro: 'setup', directory: 'foo-2', createsDirectory: false });
    expect(setupOf('%autosetup -n %{lua: print("a b")} -p1')?.directory).toBe('%{lua: print("a b")}');
    expect(setupOf('  %setup -n x}y -q')?.directory).toBe('x}y');
  });

  it('sees -c alone or among other one-letter flags, and nothing else', () => {
    for (const flags of ['-c', '-qc', '-cq', '-T -c -q'])
      expect(setupOf(`%setup ${flags}`)?.createsDirectory, flags).toBe(true);
    for (const flags of ['-q', '--cache', '-n c-dir'])
      expect(setupOf(`%setup ${flags}`)?.createsDirectory, flags).toBe(false);
  });

  it('gives no directory for . or .. or one with a slash', () => {
    for (const dir of ['.', '..', 'a/b'])
      expect(setupDirectory(parseSpecBasics(`Name: a\nVersion: 1\n%prep\n%setup -n ${dir}\n`))).toBeNull();
  });
});

describe('expanding macros', () => {
  const macros = new Map([
    ['name', 'foo'],
    ['version', '1.0'],
    ['self', '%self'],
    ['braced', '%{braced}'],
  ]);

  it('leaves a braced body that is not a macro reference as written, in the middle of text', () => {
    expect(expandMacros('x-%{name extra}-y', macros)).toBe('x-%{name extra}-y');
    expect(expandMacros('100%1name', macros)).toBe('100%1name');
    expect(expandMacros('a %{name', macros)).toBe('a %{name');
  });

  it('expands conditional text with blanks and nested braces', () => {
    expect(expandMacros('%{?name:a b}', macros)).toBe('a b');
    expect(expandMacros('%{?name:%{version}}', macros)).toBe('1.0');
    expect(expandMacros('%{!?name:none}', macros)).toBe('');
    expect(expandMacros('%{!?missing:none}', macros)).toBe('none');
    expect(expandMacros('%{?missing}', macros)).toBe('');
  });

  it('stops on self-reference in every form', () => {
    expect(expandMacros('%self', macros)).toBe('%self');
    expect(expandMacros('%{?name:%self}', macros)).toBe('%self');
    expect(expandMacros('%{braced}', macros)).toBe('%{braced}');
  });
});

describe('rewriting a spec', () => {
  it('keeps every line and ends with one newline, from LF or CRLF files', () => {
    const expected = `${HEADER}Name: a\nVersion: 1.2.1\n`;
    expect(rewriteSpec('Name: a\nVersion: 1\n', REWRITE)).toBe(expected);
    expect(rewriteSpec('Name: a\r\nVersion: 1\r\n', REWRITE)).toBe(expected);
  });

  it('sets tags written with blanks before the colon, and Source: as Source0:', () => {
    const out = rewriteSpec('Name: a\nVersion : 1\nRelease  : 1\nSource : x.tgz\n', REWRITE);
    expect(out).toBe(`${HEADER}Name: a\nVersion: 1.2.1\nRelease: 0.1%{?dist}\nSource: a-1.2.1-0.1.tar.gz\n`);
  });

  it('leaves tags named inside other tags alone (Summary, NoSource)', () => {
    const spec = 'Name: a\nSummary: Version: and Release: notes\nNoSource: 0\nVersion: 1\n';
    const out = rewriteSpec(spec, REWRITE);
    expect(out).toContain('\nSummary: Version: and Release: notes\n');
    expect(out).toContain('\nNoSource: 0\n');
  });

  it('sets the tags of %package sections as the preamble does', () => {
    const out = rewriteSpec('Name: a\nVersion: 1\n%package devel\nSummary: d\nRelease: 9\n', REWRITE);
    expect(out).toContain('\n%package devel\nSummary: d\nRelease: 0.1%{?dist}\n');
  });

  it('replaces any injected macro defined again, however indented or spaced', () => {
    const out = rewriteSpec('Name: a\nVersion: 1\n  %global  dlrn_nvr  old\n%define upstream_version\t0.9\n', REWRITE);
    expect(out).toContain('\n  %global  dlrn_nvr  a-1.2.1-0.1\n');
    expect(out).toContain('\n%define upstream_version\t1.2.1\n');
  });

  it('cuts at a %changelog line only, not at %changelog named in text', () => {
    const out = rewriteSpec(
      'Name: a\nVersion: 1\n%description\nsee the %changelog below\n%changelog\n- old\n',
      REWRITE,
    );
    expect(out.endsWith('see the %changelog below\n%changelog\n')).toBe(true);
  });

  it('names the upstream version it refuses', () => {
    expect(() => rewriteSpec('Name: a\nVersion: 1\n', { ...REWRITE, upstreamVersion: '1%x' })).toThrow(
      /upstream version "1%x"/,
    );
  });
});

describe('when a spec does not parse', () => {
  it('refuses it with a stable code and the problem in the details', () => {
    let caught: unknown;
    try {
      parseSpecBasics('Name: a\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecParseError);
    expect(caught).toMatchObject({
      code: 'SPEC_UNPARSABLE',
      details: { problem: 'no Version: tag in the preamble' },
    });
  });
});

describe('when the preamble has a trigger, a parametric macro or definitions with trailing blanks', () => {
  it('ends the preamble at %triggerin', () => {
    expect(problemOf('Name: a\n%triggerin -- b\nVersion: 2\n')).toBe(
      'spec file does not parse: no Version: tag in the preamble',
    );
  });

  it('does not take a parametric macro for a simple one', () => {
    expect(parseSpecBasics('%define fn() x\nName: a\nVersion: 1\n').macros.has('fn')).toBe(false);
  });

  it('drops the blanks after a definition', () => {
    expect(parseSpecBasics('%global srcname foo  \nName: %{srcname}\nVersion: 1\n').name).toBe('foo');
  });

  it('takes a missing Release as empty', () => {
    expect(expandMacros('[%{release}]', parseSpecBasics('Name: a\nVersion: 1\n').macros)).toBe('[]');
  });

  it('refuses a Name with a slash', () => {
    expect(problemOf('Name: a/b\nVersion: 1\n')).toBe('spec file does not parse: Name: "a/b" is not a package name');
  });
});

describe('when the %setup line has odd blanks or a trailing -n', () => {
  const setupOf = (line: string) => parseSpecBasics(`Name: a\nVersion: 1\n%prep\n${line}\n`).setup;

  it('reads the directory after two blanks', () => {
    expect(setupOf('%setup -n  foo-1')?.directory).toBe('foo-1');
  });

  it('has no directory for a -n without a value', () => {
    expect(setupOf('%setup -q -n')?.directory).toBeNull();
    expect(setupOf('%setup -q -n \t ')?.directory).toBeNull();
  });

  it('reads options as rpm (popt) does: flags cluster, a value is the rest of the word or the next word', () => {
    expect(setupOf('%setup -qcT')?.createsDirectory).toBe(true);
    expect(setupOf('%setup -DTqc -n x')).toEqual({ macro: 'setup', directory: 'x', createsDirectory: true });
    expect(setupOf('%setup -qn %{name}-%{version}')?.directory).toBe('%{name}-%{version}');
    expect(setupOf('%setup -qnfoo-1 -c')).toEqual({ macro: 'setup', directory: 'foo-1', createsDirectory: true });
    // -a, -b, -p and -S take a value: a c in it is no -c, a -n in the next word no directory.
    expect(setupOf('%setup -q -a1c -b 0c')).toEqual({ macro: 'setup', directory: null, createsDirectory: false });
    expect(setupOf('%autosetup -p1 -S git -n nova-1')).toEqual({
      macro: 'autosetup',
      directory: 'nova-1',
      createsDirectory: false,
    });
    expect(setupOf('  %setup  -q  c')).toEqual({ macro: 'setup', directory: null, createsDirectory: false });
    for (const option of ['-ac', '-bc', '-pc', '-Sc'])
      expect(setupOf(`%autosetup ${option}`)?.createsDirectory).toBe(false);
  });

  it('gives no directory when -n expands to nothing', () => {
    expect(setupDirectory(parseSpecBasics('Name: a\nVersion: 1\n%prep\n%setup -n %{?nothing}\n'))).toBeNull();
  });
});

describe('when macros have names starting with A, Z, z or _, or are unknown', () => {
  const macros = new Map([
    ['A1', 'p'],
    ['Zz', 'q'],
    ['zed', 'r'],
    ['_u', 's'],
    ['name', 'foo'],
  ]);

  it('expands them braced and bare', () => {
    expect(expandMacros('%{A1}%{Zz}%{zed}%{_u}', macros)).toBe('pqrs');
    expect(expandMacros('%A1 %Zz %zed %_u', macros)).toBe('p q r s');
  });

  it('leaves an unknown bare macro as written', () => {
    expect(expandMacros('%nope-%name', macros)).toBe('%nope-foo');
  });

  it('gives the value of %{?x} when x is defined, nothing for %{!?x} when it is not', () => {
    expect(expandMacros('%{?name}-x', macros)).toBe('foo-x');
    expect(expandMacros('%{!?missing}x', macros)).toBe('x');
    expect(expandMacros('%{?!missing:none}', macros)).toBe('none');
  });
});

describe('when macros refer to each other 17 levels deep', () => {
  it('expands the whole chain', () => {
    const macros = new Map(Array.from({ length: 17 }, (_, i) => [`m${i}`, i === 16 ? 'end' : `%{m${i + 1}}`] as const));
    expect(expandMacros('%{m0}', macros)).toBe('end');
  });
});

describe('when a macro body is odd, or a conditional refers to itself', () => {
  const macros = new Map([
    ['bar', '1'],
    ['loop', '%{?loop:x%{loop}}'],
  ]);

  it('leaves a body that is no macro name as written, in the middle of the text', () => {
    expect(expandMacros('a%{foo bar}b', macros)).toBe('a%{foo bar}b');
    expect(expandMacros('a%{1x}b%{bar}', macros)).toBe('a%{1x}b1');
    expect(expandMacros('a%{nope}b%{bar}', macros)).toBe('a%{nope}b1');
  });

  it('gives nothing for %{?name:text} when the name is not defined', () => {
    expect(expandMacros('[%{?nothing:yes}]', macros)).toBe('[]');
  });

  it('stops a macro that refers to itself through a conditional, as rpm would fail', () => {
    // Each level takes two steps of the 16 allowed (the macro, then its conditional's text).
    expect(expandMacros('%{loop}', macros)).toBe(`${'x'.repeat(8)}%{?loop:x%{loop}}`);
  });
});

describe('when the preamble holds comments, NoSource or an indented Source0', () => {
  const spec = 'Name: a\nVersion: 1\n#Release: old\nRelease: 1\nNoSource: 0\n  Source0: old.tgz\n%prep\n';

  it('rewrites the tags only, keeping the indentation of Source0', () => {
    expect(rewriteSpec(spec, REWRITE)).toBe(
      `${HEADER}Name: a\nVersion: 1.2.1\n#Release: old\nRelease: 0.1%{?dist}\nNoSource: 0\n  Source0: a-1.2.1-0.1.tar.gz\n%prep\n`,
    );
  });
});
