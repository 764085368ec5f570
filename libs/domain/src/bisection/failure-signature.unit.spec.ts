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
