import { describe, expect, it } from 'vitest';
import { resetsBootstrapped, usesRepoBootstrap } from './bootstrap-reset.js';
import { DEFAULT_PASS_OPTIONS } from './build-loop.types.js';

describe('pass options', () => {
  it('by default (dlrn bisect, remote imports) are a plain pass: every package, no flag, no command', () => {
    expect(DEFAULT_PASS_OPTIONS).toEqual({
      packageNames: [],
      projectNames: [],
      headOnly: false,
      dev: false,
      local: false,
      run: null,
      stop: false,
      noRepo: false,
      sequential: false,
      order: false,
      buildEnv: {},
      verboseBuild: false,
    });
  });

  describe('the repo_bootstrap reset after --order (DLRN: only a full run)', () => {
    const order = { ...DEFAULT_PASS_OPTIONS, order: true };
    it.each([
      ['a full --order run', true, order],
      ['a run without --order', false, DEFAULT_PASS_OPTIONS],
      ['--order with --package-name', false, { ...order, packageNames: ['python-nova'] }],
      ['--order with --project-name', false, { ...order, projectNames: ['nova'] }],
    ])('%s: resets %s', (_, expected, options) => {
      expect(resetsBootstrapped(options)).toBe(expected);
    });

    it("sees repo_bootstrap anywhere in the spec's text, as DLRN's `in rawspec`", () => {
      expect(usesRepoBootstrap('%if 0%{?repo_bootstrap}\n%endif\n')).toBe(true);
      expect(usesRepoBootstrap('# no_repo_bootstrap_here\n')).toBe(true);
      expect(usesRepoBootstrap('Name: x\n%bcond bootstrap 0\n')).toBe(false);
    });
  });
});
