import { describe, expect, it } from 'vitest';
import { failureSignature, sameFailure } from './failure-signature.js';

/** An rpmbuild log of a %build that fails at `test -f BUILD_OK`, in one build directory and time. */
const buildLog = (dir: string, tmp: string, time: string, version: string) => `Building target platforms: noarch
Executing(%prep): /bin/sh -e /var/tmp/${tmp}
+ umask 022
+ cd ${dir}/BUILD
+ tar -xof ${dir}/SOURCES/broken-tool-${version}.tar.gz
Executing(%build): /bin/sh -e /var/tmp/${tmp}
+ umask 022
+ cd ${dir}/BUILD/broken-tool-${version}
+ sleep 0
+ test -f BUILD_OK
error: Bad exit status from /var/tmp/${tmp} (%build)

RPM build errors:
    Bad exit status from /var/tmp/${tmp} (%build)
${time} build of broken-tool-${version} took 3 s
`;

describe('failure signature', () => {
  describe('when the same breakage fails in two builds', () => {
    const first = buildLog('/tmp/dlrn-rpmbuild-host.123-AbC9x', 'rpm-tmp.qWe12', '2026-12-05 01:02:03', '2.1.1.dev3');
    const second = buildLog('/tmp/dlrn-rpmbuild-other.9876-Zz0', 'rpm-tmp.XyZ98', '2026-12-06 11:22:33', '2.1.1.dev7');

    it('gives equal signatures whatever the build directory, temporary files, time and version', () => {
      expect(sameFailure(failureSignature(first), failureSignature(second))).toBe(true);
    });

    it('keeps the failing command and the error, normalized', () => {
      expect(failureSignature(first).lines).toEqual([
        '+ test -f build_ok',
        'error: bad exit status from <path> (%build)',
        'bad exit status from <path> (%build)',
      ]);
    });
  });

  describe('when another section fails, or the same one for another reason', () => {
    it('gives a different signature', () => {
      const build = failureSignature(buildLog('/b', 'rpm-tmp.1', '', '1.0'));
      const install = failureSignature(`Executing(%install): /bin/sh -e /var/tmp/rpm-tmp.2
+ install -D -m 0755 tool.sh /b/BUILDROOT/usr/bin/broken-tool
install: cannot stat 'tool.sh': No such file or directory
error: Bad exit status from /var/tmp/rpm-tmp.2 (%install)
`);
      expect(sameFailure(build, install)).toBe(false);
      const otherCommand = failureSignature(buildLog('/b', 'rpm-tmp.1', '', '1.0').replace('test -f BUILD_OK', 'make'));
      expect(sameFailure(build, otherCommand)).toBe(false);
    });
  });

  describe('when hashes, line numbers and log prefixes differ', () => {
    it('ignores them', () => {
      const a = failureSignature(
        '2026-12-05 01:02:03,456 - ERROR - fatal: reference is not a tree: 0123456789abcdef0123456789abcdef01234567\nfoo.c:12: undefined reference to `bar`',
      );
      const b = failureSignature(
        'DEBUG util.py:446:  fatal: reference is not a tree: fedcba9876543210fedcba9876543210fedcba98\nfoo.c:345: undefined reference to `bar`',
      );
      expect(a.lines).toEqual(['fatal: reference is not a tree: <hash>', 'foo.c:<n>: undefined reference to `bar`']);
      expect(sameFailure(a, b)).toBe(true);
    });
  });

  describe('when a log shows no error line', () => {
    it('is empty and never the same as anything (nothing to compare)', () => {
      const empty = failureSignature('all good\n+ true\n');
      expect(empty.lines).toEqual([]);
      expect(sameFailure(empty, empty)).toBe(false);
    });
  });

  describe('when a log repeats errors without end', () => {
    it('stays bounded: repeats once, at most 40 lines of at most 300 characters', () => {
      const noisy = Array.from({ length: 1000 }, (_, i) => `error: thing ${'x'.repeat(i % 500)}${i % 2 ? 'a' : 'b'}`);
      const signature = failureSignature(noisy.join('\n'));
      expect(signature.lines.length).toBe(40);
      expect(Math.max(...signature.lines.map((line) => line.length))).toBeLessThanOrEqual(300);
      expect(failureSignature('error: x\nerror: x\n').lines).toEqual(['error: x']);
    });
  });
});

describe('failure signature, rule by rule', () => {
  const linesOf = (log: string) => failureSignature(log).lines;

  it('drops the exact noise lines of rpmbuild and mock, and keeps lines that only resemble them', () => {
    expect(linesOf('RPM build errors:\nEXCEPTION: [Error()]\nrpm build ERRORS:')).toEqual([]);
    expect(
      linesOf('see RPM build errors:\nRPM build errors: 2\nmock EXCEPTION: [Error()]\nEXCEPTION: [Error()] again'),
    ).toEqual([
      'see rpm build errors:',
      'rpm build errors: <n>',
      'mock exception: [error()]',
      'exception: [error()] again',
    ]);
  });

  it('keeps the command traced before an error, however nested or indented the trace', () => {
    expect(linesOf('  + make all\nerror: x')).toEqual(['+ make all', 'error: x']);
    expect(linesOf('++ make check\nconfigure: error: no cc')).toEqual(['++ make check', 'configure: error: no cc']);
    expect(linesOf('+ make\ng++ main.c: fatal error: x.h: No such file')).toEqual([
      '+ make',
      'g++ main.c: fatal error: x.h: no such file',
    ]);
  });

  it('strips a timestamp prefix in each of its forms, and only at the start of a line', () => {
    const prefixed = [
      '2026-12-05 01:02:03 error: disk full',
      '2026-12-05 01:02:03,456 - error: disk full',
      '  2026-12-05T01:02:03.5Z - error: disk full',
      '[2026-12-05 01:02:03]error: disk full',
      '2026-12-05T01:02:03+01:00 error: disk full',
      '2026-12-05T01:02:03+0100 error: disk full',
      '2026-12-05T01:02:03-05:00 error: disk full',
      'INFO  - error: disk full',
      'DEBUG  util.py:446:error: disk full',
    ];
    for (const line of prefixed) expect(linesOf(line), line).toEqual(['error: disk full']);
    expect(linesOf('error: at 2026-12-05 01:02:03 - disk full')).toEqual(['error: at <time> - disk full']);
    expect(linesOf('error: x INFO - y')).toEqual(['error: x info - y']);
    expect(linesOf('error: see DEBUG util.py:446: y')).toEqual(['error: see debug util.py:<n>: y']);
  });

  it('puts <time> for dates and times in every form, before numbers are replaced', () => {
    const cases: [string, string][] = [
      ['error: since 2026-12-05', 'error: since <time>'],
      ['error: since 2026-12-05 01:02', 'error: since <time>'],
      ['error: since 2026-12-05T01:02:03', 'error: since <time>'],
      ['error: since 2026-12-05T01:02:03.456Z', 'error: since <time>'],
      ['error: since 2026-12-05 01:02:03,5+01:00', 'error: since <time>'],
      ['error: since 2026-12-05T01:02:03+0100', 'error: since <time>'],
      ['error: since 2026-12-05T01:02:03-05:00 ok', 'error: since <time> ok'],
      ['error: at 01:02:03', 'error: at <time>'],
      ['error: at 1:02:03.5', 'error: at <time>'],
      ['error: at 12:34:56,789 ok', 'error: at <time> ok'],
      ['error: at 12:34 and 2026-12', 'error: at <n>:<n> and <n>-<n>'],
    ];
    for (const [line, normalized] of cases) expect(linesOf(line), line).toEqual([normalized]);
  });

  it('folds runs of blanks into one', () => {
    expect(linesOf('error:  two \t blanks')).toEqual(['error: two blanks']);
  });

  it('never takes a signature for the same as one it only begins', () => {
    const short = failureSignature('error: a');
    const longer = failureSignature('error: a\nerror: b');
    expect(sameFailure(short, longer)).toBe(false);
    expect(sameFailure(longer, short)).toBe(false);
  });
});
