import { describe, expect, it } from 'vitest';
import { knownEnds, verdictOf, type CommitBuild, type CommitVerdict } from './bisect-history.js';

const attempt = (status: CommitBuild['status'], rechecked = false): CommitBuild => ({
  buildId: `b-${status}`,
  status,
  purpose: { kind: 'commit' },
  distroHash: 'd1',
  dtBuild: 1,
  rechecked,
});
const line = (...verdicts: CommitVerdict[]) => verdicts.map((verdict) => ({ verdict }));

describe('verdictOf', () => {
  it('reads the newest attempt that counts: a recheck forgets its result, a retry or a build under way is pending', () => {
    expect(verdictOf([])).toBe('unbuilt');
    expect(verdictOf([attempt('FAILED'), attempt('SUCCESS')])).toBe('good');
    expect(verdictOf([attempt('SUCCESS'), attempt('FAILED', true)])).toBe('good');
    expect(verdictOf([attempt('FAILED'), attempt('RETRY')])).toBe('pending');
    expect(verdictOf([attempt(null)])).toBe('pending');
    expect(verdictOf([attempt('FAILED', true)])).toBe('unbuilt');
  });
});

describe('knownEnds', () => {
  it('finds the first bad commit and the last good one before it', () => {
    expect(knownEnds(line('good', 'unbuilt', 'good', 'unbuilt', 'bad', 'good', 'bad'))).toEqual({
      lastKnownGood: 2,
      firstKnownBad: 4,
    });
  });

  it('has no bad end when nothing failed, and no good end when nothing built before the first failure', () => {
    expect(knownEnds(line('good', 'unbuilt', 'good'))).toEqual({ lastKnownGood: 2, firstKnownBad: null });
    expect(knownEnds(line('unbuilt', 'bad', 'good'))).toEqual({ lastKnownGood: null, firstKnownBad: 1 });
  });
});
