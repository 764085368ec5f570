import { describe, expect, it } from 'vitest';
import { branchFallback, type BranchFallback } from './branch-fallback.js';
import type { BranchPolicy } from './git.ports.js';

const DLRN_DEFAULTS: BranchPolicy = {
  sourceBranch: 'stable/2024.1',
  fallbackToMaster: true,
  nonfallbackBranches: ['^master$', '^rpm-master$'],
};

/** given(policy).when(branch fails to check out).then(fallback refs, in order). */
function given(policy: Partial<BranchPolicy>) {
  return {
    whenMissing(branch: string): BranchFallback {
      return branchFallback(branch, { ...DLRN_DEFAULTS, ...policy });
    },
  };
}

describe('branch fallback (refreshrepo)', () => {
  describe('given the missing branch is the configured source stable/<x>', () => {
    describe('when fallback_to_master is set', () => {
      it('tries remote unmaintained/<x>, then tag <x>-eol, then local master, then local main', () => {
        expect(given({}).whenMissing('stable/2024.1').candidates).toEqual([
          { kind: 'remote-branch', ref: 'unmaintained/2024.1' },
          { kind: 'tag', ref: '2024.1-eol' },
          { kind: 'local-branch', ref: 'master' },
          { kind: 'local-branch', ref: 'main' },
        ]);
      });

      it('says which fallbacks were missing when none exists', () => {
        expect(given({}).whenMissing('stable/2024.1').whenNoneExists).toBe(
          'no fallback exists (remote branch unmaintained/2024.1, tag 2024.1-eol, local branch master, local branch main)',
        );
      });
    });

    describe('when fallback_to_master is off', () => {
      it('stops after the unmaintained branch and the EOL tag', () => {
        const fallback = given({ fallbackToMaster: false }).whenMissing('stable/2024.1');
        expect(fallback.candidates).toEqual([
          { kind: 'remote-branch', ref: 'unmaintained/2024.1' },
          { kind: 'tag', ref: '2024.1-eol' },
        ]);
        expect(fallback.whenNoneExists).toMatch(/fallback_to_master is off/);
      });
    });

    describe('when it also matches a nonfallback_branches pattern', () => {
      it('refuses every fallback: the pattern check comes first', () => {
        const fallback = given({ nonfallbackBranches: ['stable/'] }).whenMissing('stable/2024.1');
        expect(fallback.candidates).toEqual([]);
        expect(fallback.whenNoneExists).toMatch(/nonfallback_branches pattern 'stable\/'/);
      });
    });
  });

  describe('given a source branch without stable/ in its name', () => {
    it('has no unmaintained candidate and an EOL tag named after the whole branch', () => {
      expect(given({ sourceBranch: 'devel', nonfallbackBranches: [] }).whenMissing('devel').candidates).toEqual([
        { kind: 'tag', ref: 'devel-eol' },
        { kind: 'local-branch', ref: 'master' },
        { kind: 'local-branch', ref: 'main' },
      ]);
    });
  });

  describe('given the nonfallback patterns are matched like Python re.match', () => {
    it('anchors a pattern at the start of the branch name', () => {
      expect(given({ sourceBranch: 'master', nonfallbackBranches: ['mast'] }).whenMissing('master').candidates).toEqual(
        [],
      );
    });

    it('does not find a pattern in the middle of the branch name', () => {
      const fallback = given({ sourceBranch: 'stable/2024.1', nonfallbackBranches: ['2024'] }).whenMissing(
        'stable/2024.1',
      );
      expect(fallback.candidates).toHaveLength(4);
    });

    it('anchors every alternative of a pattern, not only the first', () => {
      const fallback = given({ sourceBranch: 'stable/x', nonfallbackBranches: ['master|x'] }).whenMissing('stable/x');
      expect(fallback.candidates).toHaveLength(4);
    });

    it('refuses to fall back when a pattern is not a valid regular expression', () => {
      const fallback = given({ nonfallbackBranches: ['(?P<name>stable)'] }).whenMissing('stable/2024.1');
      expect(fallback.candidates).toEqual([]);
      expect(fallback.whenNoneExists).toMatch(/not a valid regular expression/);
    });
  });

  describe('given a missing dist-git branch <x>-rdo that is not the source branch', () => {
    it('falls back to rpm-master when fallback_to_master is set', () => {
      expect(given({}).whenMissing('2024.1-rdo')).toEqual({
        candidates: [{ kind: 'remote-branch', ref: 'rpm-master' }],
        whenNoneExists: 'its fallback branch rpm-master does not exist either',
      });
    });

    it('refuses when fallback_to_master is off', () => {
      const fallback = given({ fallbackToMaster: false }).whenMissing('2024.1-rdo');
      expect(fallback.candidates).toEqual([]);
      expect(fallback.whenNoneExists).toBe('fallback_to_master is off');
    });
  });

  describe('given any other missing ref', () => {
    it('refuses, naming the package configuration as the place to look', () => {
      const fallback = given({}).whenMissing('feature/foo');
      expect(fallback.candidates).toEqual([]);
      expect(fallback.whenNoneExists).toMatch(/not the default source branch/);
    });

    it('refuses when no source branch is configured', () => {
      expect(given({ sourceBranch: null }).whenMissing('stable/2024.1').candidates).toEqual([]);
    });
  });
});
