import { describe, expect, it } from 'vitest';
import { checkedUpstreamVersion } from './release.js';
import { builderOptions, rpmDist, rpmFileName, RpmValueError, rpmUpstreamVersion, rpmVerRel } from './rpm-values.js';
import { rewriteSpec } from './spec-rewrite.js';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RpmValueError);
    expect((error as RpmValueError).code).toBe('RPM_VALUE_REFUSED');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('a Version or Release', () => {
  // Accepted and refused as rpm 4.18's rpmbuild does (except % { }, which rpm would expand).
  it.each(['1.2.3', '0.20230110104845.0689564', '1.0^git1', '1.0~rc1', '.1', '1_0', 'a+b'])(
    'accepts %s, which rpmbuild accepts',
    (value) => {
      expect(rpmVerRel('version', value)).toBe(value);
      expect(rpmVerRel('release', value)).toBe(value);
    },
  );

  it.each([
    ['1.0-1', '"-" is not allowed (letters, digits and . _ + ~ ^ only)'],
    ['1.0..1', 'a ".." is not allowed'],
    ['', 'it is empty'],
    ['1.0 1', '" " is not allowed'],
    ['1.0é', '"é" is not allowed'],
  ])('refuses %j as rpmbuild does: %s', (value, why) => {
    expect(refusal(() => rpmVerRel('version', value))).toContain(why);
  });

  it.each(['1.0%{x}', '1%(id)', '1.{0}'])('refuses %s, whose macro rpm would expand', (value) => {
    expect(refusal(() => rpmVerRel('release', value))).toMatch(/"[%{]" is not allowed/);
  });

  it('refuses more than 128 characters: the value also names files', () => {
    expect(refusal(() => rpmVerRel('version', '1'.repeat(129)))).toContain('longer than 128');
  });
});

describe('an upstream version', () => {
  it('keeps a dash, as in 9.0.0-rc1, and names where a refused one came from', () => {
    expect(rpmUpstreamVersion('9.0.0-rc1')).toBe('9.0.0-rc1');
    expect(refusal(() => rpmUpstreamVersion('1/2', 'upstream tag "v1/2"'))).toBe(
      'upstream tag "v1/2" cannot be an RPM version: "/" is not allowed (letters, digits and . _ + ~ ^ - only)',
    );
  });

  it.each(['$(id)', '`id`', '1;id', '1|id', "1'", '1"', '1\\n', '1\n', '1*', '1>x', '1&', '1!'])(
    'refuses %j: nothing a shell or rpm reads specially passes',
    (value) => {
      expect(() => rpmUpstreamVersion(value)).toThrow(RpmValueError);
    },
  );
});

describe('when the version comes from upstream', () => {
  it('names the tag that gave a refused version', () => {
    const tag = '9.10%(echo${IFS}pwned>>/tmp/x).dev1';
    expect(refusal(() => checkedUpstreamVersion({ lastTag: tag, describe: tag }))).toBe(
      `upstream tag ${JSON.stringify(tag)} cannot be an RPM version: "%" is not allowed (letters, digits and . _ + ~ ^ - only)`,
    );
  });

  it('names the metadata.json version when that is where it came from', () => {
    expect(refusal(() => checkedUpstreamVersion({ fileVersion: '1%{x}', lastTag: '1.0', describe: '1.0' }))).toMatch(
      /^metadata\.json version "1%\{x\}" cannot be an RPM version/,
    );
  });

  describe('when the refused metadata.json version has spaces around it', () => {
    it('names it trimmed, as it was used', () => {
      expect(
        refusal(() => checkedUpstreamVersion({ fileVersion: ' 1%{x}\n', lastTag: '1.0', describe: '1.0' })),
      ).toMatch(/^metadata\.json version "1%\{x\}" cannot be an RPM version/);
    });
  });

  it('accepts what DLRN derives from an ordinary tag, v prefix and bump included', () => {
    expect(checkedUpstreamVersion({ lastTag: 'v1.2.0', describe: 'v1.2.0-2-gabcdef0' })).toBe('1.2.1');
    expect(checkedUpstreamVersion({ lastTag: null, describe: null })).toBe('0.0.1');
  });
});

describe('a spec rewrite', () => {
  const base = {
    upstreamVersion: '1.2.1',
    version: '1.2.1',
    release: '0.20230110104845.0689564',
    dlrnNvr: 'foo-1.2.1-0.20230110104845.0689564',
    tarball: 'foo-1.2.1-0.20230110104845.0689564.tar.gz',
    keepChangelog: false,
  };
  const spec = 'Name: foo\nVersion: 1\nRelease: 1\n%description\nx\n';

  it.each([
    ['upstreamVersion', '1%(id)'],
    ['version', '1%{x}'],
    ['release', '1$(id)'],
    ['dlrnNvr', 'foo-1%(id)-1'],
    ['tarball', 'foo%(id).tar.gz'],
  ])('refuses a %s holding %s, whatever its caller checked', (field, value) => {
    expect(() => rewriteSpec(spec, { ...base, [field]: value })).toThrow(RpmValueError);
  });

  it('writes checked values as they are', () => {
    expect(rewriteSpec(spec, base)).toContain('%define upstream_version 1.2.1\n');
  });
});

describe('dist and builder options', () => {
  it('takes an empty dist or a release part such as .el9, and refuses a macro', () => {
    expect(rpmDist('')).toBe('');
    expect(rpmDist('.el9')).toBe('.el9');
    expect(() => rpmDist('.el9%{x}')).toThrow(RpmValueError);
  });

  it('takes -D with a literal definition and refuses one with a macro or a line break', () => {
    expect(builderOptions(['-D', 'repo_bootstrap 1'])).toEqual(['-D', 'repo_bootstrap 1']);
    expect(() => builderOptions(['-D', 'x %(id)'])).toThrow(RpmValueError);
    expect(() => builderOptions(['--define', '%(id) 1'])).toThrow(RpmValueError);
    expect(() => builderOptions(['-D'])).toThrow(RpmValueError);
    expect(() => builderOptions(['--with', 'tests', '-D'])).toThrow(/"-D".*it lacks its macro definition/);
    expect(() => builderOptions(['-D', 'novalue'])).toThrow(RpmValueError);
    expect(() => builderOptions(['--define=x %(id)'])).toThrow(RpmValueError);
    expect(() => builderOptions(['-Dx %{y}'])).toThrow(RpmValueError);
    expect(() => builderOptions(['--with', 'x%(id)'])).toThrow(RpmValueError);
    expect(() => builderOptions(['--no-clean\n--x'])).toThrow(RpmValueError);
  });

  it('says which option or definition is refused, and why, in the message and the details', () => {
    expect(refusal(() => builderOptions(['--with', 'x%(id)']))).toBe(
      '"x%(id)" cannot be an RPM option: "%" is not allowed',
    );
    expect(refusal(() => builderOptions(['-D', 'novalue']))).toBe(
      '"novalue" cannot be an RPM macro definition: expected "<name> <value>"',
    );
    expect(refusal(() => builderOptions(['--sequential', '--define']))).toBe(
      '"--define" cannot be an RPM option: it lacks its macro definition',
    );
    expect(refusal(() => rpmDist('.el9%{x}'))).toBe(
      'dist ".el9%{x}" cannot be an RPM dist tag: "%" is not allowed (letters, digits and . _ + ~ ^ only)',
    );
    try {
      builderOptions(['-D', 'novalue']);
    } catch (error) {
      expect((error as RpmValueError).details).toEqual({
        what: '"novalue"',
        field: 'macro definition',
        why: 'expected "<name> <value>"',
      });
    }
  });

  it('reads a -D value as a name from its first character, and takes several blanks before the body', () => {
    expect(() => builderOptions(['-D', '1x y'])).toThrow(RpmValueError);
    expect(builderOptions(['--define', 'x  1'])).toEqual(['--define', 'x  1']);
    expect(builderOptions(['--with', 'x', '-D', 'y 1'])).toEqual(['--with', 'x', '-D', 'y 1']);
  });

  it('takes a file name as long as NAME_MAX', () => {
    expect(rpmFileName(`${'a'.repeat(248)}.tar.gz`)).toHaveLength(255);
    expect(() => rpmFileName(`${'a'.repeat(249)}.tar.gz`)).toThrow(RpmValueError);
    expect(() => rpmFileName('a b.tar.gz', 'the tarball')).toThrow(/^the tarball cannot be an RPM file name: /);
  });
});
