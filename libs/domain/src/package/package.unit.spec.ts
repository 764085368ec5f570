import { describe, expect, it } from 'vitest';
import { applyWindow, buildOrder, discoveryWindow, runExitCode, shouldQueue, type BuiltIndex } from './discovery.js';
import { mayNotify, shouldRequestReview } from './notification.js';

describe('discovery window (getinfo)', () => {
  describe('when the package was never built', () => {
    it('lists only the branch HEAD', () => {
      const window = discoveryWindow({
        lastProcessed: null,
        branch: 'master',
        lastBuiltOnBranch: null,
        headOnly: false,
      });
      expect(window).toEqual({ kind: 'head' });
      expect(applyWindow(window, ['c1', 'c2', 'c3'])).toEqual(['c3']);
    });
  });

  describe('when the last build was on the configured branch', () => {
    it('lists every commit since the last one, inclusive', () => {
      const window = discoveryWindow({
        lastProcessed: { dtCommit: 50, commitBranch: 'master' },
        branch: 'master',
        lastBuiltOnBranch: null,
        headOnly: false,
      });
      expect(window).toEqual({ kind: 'since', after: 50, headOnly: false });
      expect(applyWindow(window, ['c1', 'c2'])).toEqual(['c1', 'c2']);
    });

    it('keeps only the newest with --head-only', () => {
      const window = discoveryWindow({
        lastProcessed: { dtCommit: 50, commitBranch: 'master' },
        branch: 'master',
        lastBuiltOnBranch: null,
        headOnly: true,
      });
      expect(applyWindow(window, ['c1', 'c2'])).toEqual(['c2']);
    });
  });

  describe('when the branch was switched in the metadata', () => {
    it('resumes after the last build on the new branch, head only', () => {
      const window = discoveryWindow({
        lastProcessed: { dtCommit: 50, commitBranch: 'master' },
        branch: 'stable/2024.1',
        lastBuiltOnBranch: { dtCommit: 40, commitBranch: 'stable/2024.1' },
        headOnly: false,
      });
      expect(window).toEqual({ kind: 'since', after: 40, headOnly: true });
    });

    it('builds HEAD when nothing was built on the new branch', () => {
      expect(
        discoveryWindow({
          lastProcessed: { dtCommit: 50, commitBranch: 'master' },
          branch: 'stable/2024.1',
          lastBuiltOnBranch: null,
          headOnly: false,
        }),
      ).toEqual({ kind: 'head' });
    });
  });

  it('yields nothing for an empty log', () => {
    expect(applyWindow({ kind: 'head' }, [])).toEqual([]);
  });
});

describe('de-duplication (_add_commits)', () => {
  const index = (built: { commitHash: string; dtCommit: number }[]): BuiltIndex => ({
    hasBuild: (k) =>
      built.some((b) => b.commitHash === k.commitHash && k.distroHash === 'd1' && k.extendedHash === null),
    hasBuildAt: (k) => built.some((b) => b.dtCommit === k.dtCommit && k.distroHash === 'd1' && k.extendedHash === null),
  });
  const candidate = { type: 'rpm' as const, commitHash: 'c1', distroHash: 'd1', extendedHash: null, dtCommit: 10 };

  it('queues a triple never built', () => {
    expect(shouldQueue(candidate, index([]), { force: false })).toBe(true);
  });

  it('skips a triple already built by any package', () => {
    expect(shouldQueue(candidate, index([{ commitHash: 'c1', dtCommit: 99 }]), { force: false })).toBe(false);
  });

  it('skips a commit sharing its timestamp with a built one', () => {
    expect(shouldQueue(candidate, index([{ commitHash: 'c0', dtCommit: 10 }]), { force: false })).toBe(false);
  });

  it('always queues in --dev or --run mode', () => {
    expect(shouldQueue(candidate, index([{ commitHash: 'c1', dtCommit: 10 }]), { force: true })).toBe(true);
  });
});

describe('build order', () => {
  it('interleaves all packages by commit time, stable for equal times', () => {
    const queue = [
      { id: 'nova-2', dtCommit: 30 },
      { id: 'nova-1', dtCommit: 10 },
      { id: 'glance-1', dtCommit: 20 },
      { id: 'glance-2', dtCommit: 30 },
    ];
    expect(buildOrder(queue).map((c) => c.id)).toEqual(['nova-1', 'glance-1', 'nova-2', 'glance-2']);
  });

  it('keeps discovery order among many commits of the same time', () => {
    const queue = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, dtCommit: i % 2 === 0 ? 50 : 40 }));
    expect(buildOrder(queue).map((c) => c.id)).toEqual([
      ...['p1', 'p3', 'p5', 'p7', 'p9', 'p11'],
      ...['p0', 'p2', 'p4', 'p6', 'p8', 'p10'],
    ]);
  });
});

describe('exit code of a run', () => {
  it('is the value of the last build that ended non-zero', () => {
    expect(runExitCode([])).toBe(0);
    expect(runExitCode(['SUCCESS', 'SUCCESS'])).toBe(0);
    expect(runExitCode(['FAILED', 'SUCCESS'])).toBe(1);
    expect(runExitCode(['FAILED', 'RETRY', 'SUCCESS'])).toBe(2);
    expect(runExitCode(['RETRY', 'FAILED'])).toBe(1);
  });
});

describe('failure notifications', () => {
  it('mails at most once every 24 hours per package', () => {
    expect(mayNotify(null, 1000)).toBe(true);
    expect(mayNotify(1000, 1000 + 86_400)).toBe(false);
    expect(mayNotify(1000, 1000 + 86_401)).toBe(true);
  });

  it('opens a review only for the first failure after a success', () => {
    expect(shouldRequestReview(null)).toBe(true);
    expect(shouldRequestReview('SUCCESS')).toBe(true);
    expect(shouldRequestReview('FAILED')).toBe(false);
    expect(shouldRequestReview('RETRY')).toBe(false);
  });
});
