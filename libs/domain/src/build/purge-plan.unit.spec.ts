import { describe, expect, it } from 'vitest';
import { HistoryWriter } from '../../../../test/support/build-history.fixtures.js';
import { leftoverDirectories, purgePlan } from './purge-plan.js';

const CUTOFF = 2000;
const plan = (h: HistoryWriter, excluded: string[] = []) =>
  purgePlan(h.history.allRows(), CUTOFF, (row) => excluded.includes(row.commit.commitHash)).map((s) => [
    s.row.commit.commitHash,
    s.removeDirectory,
  ]);

describe('purge plan (dlrn-purge)', () => {
  describe('when the newest old success is the latest success of its package', () => {
    it('keeps it: newer repositories link to its RPMs', () => {
      const h = new HistoryWriter();
      h.build('nova', 'old1', 'SUCCESS', { dtBuild: 100 });
      h.build('nova', 'old2', 'SUCCESS', { dtBuild: 200 });
      h.build('nova', 'newfail', 'FAILED', { dtBuild: 5000 });
      expect(plan(h)).toEqual([['old1', true]]);
    });
  });

  describe('when a newer success exists inside the window', () => {
    it('removes every old success', () => {
      const h = new HistoryWriter();
      h.build('nova', 'old1', 'SUCCESS', { dtBuild: 100 });
      h.build('nova', 'old2', 'SUCCESS', { dtBuild: 200 });
      h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
      expect(plan(h)).toEqual([
        ['old2', true],
        ['old1', true],
      ]);
    });
  });

  describe('when an old failure shares its commit with a success', () => {
    it('flags it but keeps the directory', () => {
      const h = new HistoryWriter();
      h.build('nova', 'c1', 'FAILED', { dtBuild: 100, distroHash: 'd0' });
      h.build('nova', 'c1', 'SUCCESS', { dtBuild: 5000, distroHash: 'd1' });
      h.build('nova', 'c9', 'FAILED', { dtBuild: 150 });
      expect(plan(h)).toEqual([
        ['c9', true],
        ['c1', false],
      ]);
    });
  });

  it('skips builds whose RPMs are in a protected directory, and purged ones', () => {
    const h = new HistoryWriter();
    h.build('nova', 'old1', 'SUCCESS', { dtBuild: 100 });
    h.build('nova', 'old2', 'SUCCESS', { dtBuild: 200 });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    expect(plan(h, ['old2'])).toEqual([['old1', true]]);
  });

  it("decides each package on its own successes: another package's newer success or shared hash counts for nothing", () => {
    const h = new HistoryWriter();
    h.build('glance', 'g1', 'SUCCESS', { dtBuild: 100 });
    h.build('glance', 'c1', 'FAILED', { dtBuild: 110 });
    h.build('nova', 'c1', 'SUCCESS', { dtBuild: 120 });
    h.build('nova', 'n2', 'SUCCESS', { dtBuild: 5000 });
    expect(plan(h)).toEqual([
      ['c1', true],
      ['c1', true],
    ]);
    expect(purgePlan(h.history.allRows(), CUTOFF, () => false).map((step) => step.row.commit.package)).toEqual([
      'nova',
      'glance',
    ]);
  });

  it('counts as old only builds strictly before the cut-off', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'FAILED', { dtBuild: CUTOFF - 1 });
    h.build('nova', 'c2', 'FAILED', { dtBuild: CUTOFF });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    expect(plan(h)).toEqual([['c1', true]]);
  });

  it('leaves a rechecked build alone: it waits for its new attempt', () => {
    const h = new HistoryWriter();
    const failed = h.build('nova', 'c1', 'FAILED', { dtBuild: 100 });
    h.recheck('nova', 'c1', failed);
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    expect(plan(h)).toEqual([]);
  });

  it('acts once per commit: earlier RETRY attempts share the final result', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'RETRY', { dtBuild: 100 });
    h.build('nova', 'c1', 'FAILED', { dtBuild: 110 });
    expect(plan(h)).toEqual([['c1', true]]);
  });
});

describe('directories left behind by a purge that stopped between its record and the removal', () => {
  const purge = (h: HistoryWriter) => {
    for (const { row } of purgePlan(h.history.allRows(), CUTOFF, () => false)) h.purge(row);
  };

  it('a purged build whose stream ends there leaves its directory to sweep', () => {
    const h = new HistoryWriter();
    h.build('nova', 'old', 'FAILED', { dtBuild: 100 });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    purge(h);
    expect(leftoverDirectories(h.history.allRows(), new Set(['old_d1']))).toEqual(['old_d1']);
  });

  it('earlier attempts of a purged stream (a retry before the failure) share its fate', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'RETRY', { dtBuild: 100 });
    h.build('nova', 'c1', 'FAILED', { dtBuild: 150 });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    purge(h);
    expect(h.history.allRows().filter((row) => row.purged)).toHaveLength(1);
    expect(leftoverDirectories(h.history.allRows(), new Set(['c1_d1']))).toEqual(['c1_d1']);
  });

  it('a directory a later build of the same commit uses again is not swept', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c1', 'FAILED', { dtBuild: 100 });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    purge(h);
    h.recheck('nova', 'c1', 'b1');
    h.build('nova', 'c1', 'SUCCESS', { dtBuild: 6000 });
    expect(leftoverDirectories(h.history.allRows(), new Set(['c1_d1']))).toEqual([]);
  });

  it('names the leftovers in order', () => {
    const h = new HistoryWriter();
    h.build('nova', 'c2', 'FAILED', { dtBuild: 100 });
    h.build('nova', 'c1', 'FAILED', { dtBuild: 110 });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    purge(h);
    expect(leftoverDirectories(h.history.allRows(), new Set(['c2_d1', 'c1_d1']))).toEqual(['c1_d1', 'c2_d1']);
  });

  it('only directories the log recorded as removed are candidates', () => {
    const h = new HistoryWriter();
    h.build('nova', 'old', 'FAILED', { dtBuild: 100 });
    h.build('nova', 'new', 'SUCCESS', { dtBuild: 5000 });
    purge(h);
    expect(leftoverDirectories(h.history.allRows(), new Set())).toEqual([]);
  });
});
