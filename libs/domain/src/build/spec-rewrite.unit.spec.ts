import { beforeAll, describe, expect, it } from 'vitest';
import { expandMacros, parseSpecBasics, rewriteSpec, setupDirectory, SpecParseError } from './spec-rewrite.js';

const SPEC = `%global pypi_name foo
%{!?upstream_version: %global upstream_version %{version}%{?milestone}}

Name:           python-%{pypi_name}
Version:        XXX
Release:        XXX
Summary:        Foo library
License:        ASL 2.0
Source0:        https://tarballs.example.org/%{pypi_name}/%{pypi_name}-%{upstream_version}.tar.gz
Source1:        foo.conf
BuildArch:      noarch

%description
Version: this line is text, not a tag.

%prep
%setup -q -n %{pypi_name}-%{upstream_version}

%files
/usr/share/foo

%changelog
* Mon Jan 01 2024 Packager <p@example.org> - 1.0-1
- Version: 1.0 released (UPSTREAMVERSION)
`;

const REWRITE = {
  upstreamVersion: '1.2.1',
  version: '1.2.1',
  release: '0.20230110104845.0689564',
  dlrnNvr: 'python-foo-1.2.1-0.20230110104845.0689564',
  tarball: 'python-foo-1.2.1-0.20230110104845.0689564.tar.gz',
  keepChangelog: false,
};

describe('parsing a spec', () => {
  it('reads Name with its macros expanded, Version and Source0 as written, and the %setup directory', () => {
    const basics = parseSpecBasics(SPEC);
    expect(basics).toMatchObject({
      name: 'python-foo',
      version: 'XXX',
      source0: 'https://tarballs.example.org/%{pypi_name}/%{pypi_name}-%{upstream_version}.tar.gz',
      setup: { macro: 'setup', directory: '%{pypi_name}-%{upstream_version}', createsDirectory: false },
    });
  });

  it('accepts Source: for Source0 and reports a spec without one', () => {
    expect(parseSpecBasics('Name: a\nVersion: 1\nSource: a.tgz\n').source0).toBe('a.tgz');
    expect(parseSpecBasics('Name: a\nVersion: 1\n').source0).toBeNull();
  });

  it.each([
    ['Summary: x\nVersion: 1\n', /no Name: tag/],
    ['Name:\nVersion: 1\n', /Name: tag is empty/],
    ['Name: a\nSummary: x\n', /no Version: tag/],
    ['Name: a\nVersion:   \n', /Version: tag is empty/],
    ['Name: %{undefined_macro}\nVersion: 1\n', /macro the spec does not define/],
    ['%description\nName: a\nVersion: 1\n', /no Name: tag in the preamble/],
  ])('refuses %j, saying what is wrong', (text, message) => {
    expect(() => parseSpecBasics(text)).toThrow(SpecParseError);
    expect(() => parseSpecBasics(text)).toThrow(message);
  });

  it('tells %autosetup and -c apart', () => {
    expect(parseSpecBasics('Name: a\nVersion: 1\n%prep\n%autosetup -p1 -n a-src\n').setup).toEqual({
      macro: 'autosetup',
      directory: 'a-src',
      createsDirectory: false,
    });
    expect(parseSpecBasics('Name: a\nVersion: 1\n%prep\n%setup -q -c -n a-src\n').setup?.createsDirectory).toBe(true);
  });
});

describe('expanding macros', () => {
  const macros = new Map([
    ['name', 'foo'],
    ['version', '1.0'],
    ['alias', '%{name}'],
    ['loop', '%{loop}'],
  ]);

  it.each([
    ['%{name}-%{version}', 'foo-1.0'],
    ['%name-%version', 'foo-1.0'],
    ['%{alias}', 'foo'],
    ['%{?milestone}x', 'x'],
    ['%{?name:yes}%{!?name:no}', 'yes'],
    ['%{!?milestone:none}', 'none'],
    ['100%%', '100%'],
    ['%{unknown}', '%{unknown}'],
  ])('expands %j to %j', (text, expected) => {
    expect(expandMacros(text, macros)).toBe(expected);
  });

  it('stops on a macro that refers to itself', () => {
    expect(expandMacros('%{loop}', macros)).toBe('%{loop}');
  });
});

describe('rewriting a spec as DLRN does', () => {
  // Rewritten in beforeAll, not while vitest collects the file: Stryker activates a mutant only
  // for the tests, so a rewrite at collect time would hide it.
  let rewritten: string;
  beforeAll(() => {
    rewritten = rewriteSpec(SPEC, REWRITE);
  });

  it('puts dlrn_nvr, dlrn and upstream_version on top, in the order DLRN leaves them', () => {
    expect(rewritten.split('\n').slice(0, 3)).toEqual([
      '%global dlrn_nvr python-foo-1.2.1-0.20230110104845.0689564',
      '%global dlrn 1',
      '%define upstream_version 1.2.1',
    ]);
  });

  it('sets Version, Release with the dist tag, and Source0 to the generated tarball', () => {
    expect(rewritten).toContain('\nVersion: 1.2.1\n');
    expect(rewritten).toContain('\nRelease: 0.20230110104845.0689564%{?dist}\n');
    expect(rewritten).toContain('\nSource0: python-foo-1.2.1-0.20230110104845.0689564.tar.gz\n');
    expect(rewritten).toContain('\nSource1:        foo.conf\n');
  });

  it('keeps the conditional upstream_version definition, which the injected one now satisfies', () => {
    expect(rewritten).toContain('%{!?upstream_version: %global upstream_version %{version}%{?milestone}}');
  });

  it('leaves "Version:" inside text alone', () => {
    const kept = rewriteSpec(SPEC, { ...REWRITE, keepChangelog: true });
    expect(kept).toContain('\nVersion: this line is text, not a tag.\n');
    expect(kept).toContain('\n- Version: 1.0 released');
  });

  it('drops everything after %changelog', () => {
    expect(rewritten.endsWith('%changelog\n')).toBe(true);
  });

  it('keeps the changelog, with UPSTREAMVERSION replaced, when asked', () => {
    const kept = rewriteSpec(SPEC, { ...REWRITE, keepChangelog: true });
    expect(kept).toContain('- Version: 1.0 released (1.2.1)\n');
  });

  it('keeps Version and Source0 when asked (DLRN_KEEP_VERSION, DLRN_KEEP_TARBALL)', () => {
    const kept = rewriteSpec(SPEC, { ...REWRITE, version: null, tarball: null });
    expect(kept).toContain('\nVersion:        XXX\n');
    expect(kept).toContain('\nSource0:        https://tarballs.example.org/');
  });

  it('replaces an unconditional definition of an injected macro so the injected value wins', () => {
    const spec = 'Name: a\nVersion: 1\n%global upstream_version 0.9\n%define dlrn 0\n';
    const out = rewriteSpec(spec, REWRITE);
    expect(out).toContain('\n%global upstream_version 1.2.1\n');
    expect(out).toContain('\n%define dlrn 1\n');
    expect(out).not.toContain('0.9');
  });

  it('makes the rewritten %setup directory resolve to the upstream version', () => {
    expect(setupDirectory(parseSpecBasics(rewritten))).toBe('foo-1.2.1');
  });
});

describe('the %setup directory', () => {
  it('defaults to %{name}-%{version}', () => {
    expect(setupDirectory(parseSpecBasics('Name: a\nVersion: 2.0\n%prep\n%setup -q\n'))).toBe('a-2.0');
    expect(setupDirectory(parseSpecBasics('Name: a\nVersion: 2.0\n'))).toBe('a-2.0');
  });

  it('is null when %setup creates the directory or names it with an unknown macro', () => {
    expect(setupDirectory(parseSpecBasics('Name: a\nVersion: 2\n%prep\n%setup -c -n x\n'))).toBeNull();
    expect(setupDirectory(parseSpecBasics('Name: a\nVersion: 2\n%prep\n%setup -n %{srcname}\n'))).toBeNull();
  });
});
