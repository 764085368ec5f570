import { describe, expect, it } from 'vitest';
import type { CiVoteDoc } from '#domain/projections/index.js';
import type { DlrnQueries, VoteFilters } from '#application/queries/dlrn-queries.js';
import { lastTestedRepo, voteCutoff, type VoteSelection } from './last-tested-repo.query.js';
import { VoteRefusedError } from './vote.errors.js';

type Mode = 'exclude' | 'only' | 'any';

/**
 * DlrnQueries' newestVote over a list of votes, as the views answer it (newest first; `consistent`
 * is the job id DLRN's own consistent votes carry), recording each question asked.
 */
function votes(list: readonly Pick<CiVoteDoc, 'ciName' | 'ciVote' | 'component' | 'timestamp'>[]) {
  const asked: { filters: VoteFilters; mode: Mode }[] = [];
  const queries = {
    newestVote(filters: VoteFilters, mode: Mode): Promise<CiVoteDoc | null> {
      asked.push({ filters, mode });
      const found = list
        .filter((v) => v.timestamp > filters.after)
        .filter((v) => filters.success === null || v.ciVote === filters.success)
        .filter((v) => filters.jobId === null || v.ciName === filters.jobId)
        .filter((v) => filters.component === null || v.component === filters.component)
        .filter((v) =>
          mode === 'exclude' ? v.ciName !== 'consistent' : mode === 'only' ? v.ciName === 'consistent' : true,
        )
        .sort((a, b) => b.timestamp - a.timestamp)[0];
      return Promise.resolve((found as CiVoteDoc | undefined) ?? null);
    },
  } as unknown as DlrnQueries;
  return { queries, asked };
}

const selection = (fields: Partial<VoteSelection> = {}): VoteSelection => ({
  success: null,
  jobId: null,
  sequentialMode: null,
  previousJobId: null,
  component: null,
  ...fields,
});

const LOG = [
  { ciName: 'consistent', ciVote: true, component: null, timestamp: 500 },
  { ciName: 'tempest', ciVote: false, component: 'compute', timestamp: 300 },
  { ciName: 'tempest', ciVote: true, component: 'compute', timestamp: 200 },
  { ciName: 'packstack', ciVote: true, component: 'network', timestamp: 400 },
];

describe('last_tested_repo selection (DLRN getVote)', () => {
  describe('without job_id', () => {
    it("takes the newest CI's vote before any consistent one", async () => {
      const { queries, asked } = votes(LOG);
      expect(await lastTestedRepo(queries, selection(), 0)).toMatchObject({ ciName: 'packstack', timestamp: 400 });
      expect(asked.map((a) => a.mode)).toEqual(['exclude']);
    });

    it('falls back to the newest consistent vote when no CI voted', async () => {
      const { queries, asked } = votes(LOG.filter((v) => v.ciName === 'consistent'));
      expect(await lastTestedRepo(queries, selection(), 0)).toMatchObject({ ciName: 'consistent' });
      expect(asked.map((a) => a.mode)).toEqual(['exclude', 'only']);
    });

    it('keeps success=false and the component in both questions', async () => {
      const { queries, asked } = votes(LOG);
      const vote = await lastTestedRepo(queries, selection({ success: false, component: 'compute' }), 0);
      expect(vote).toMatchObject({ ciName: 'tempest', ciVote: false });
      expect(asked[0]!.filters).toEqual({ after: 0, success: false, jobId: null, component: 'compute' });
    });
  });

  describe('with job_id', () => {
    it("takes that job's newest vote", async () => {
      const { queries } = votes(LOG);
      expect(await lastTestedRepo(queries, selection({ jobId: 'tempest', success: true }), 0)).toMatchObject({
        ciName: 'tempest',
        timestamp: 200,
      });
    });

    it("falls back to any CI's newest vote, of any component (DLRN's quirk)", async () => {
      const { queries, asked } = votes(LOG);
      const vote = await lastTestedRepo(queries, selection({ jobId: 'never-voted', component: 'compute' }), 0);
      expect(vote).toMatchObject({ ciName: 'consistent', timestamp: 500 });
      expect(asked.map((a) => [a.filters.jobId, a.filters.component, a.mode])).toEqual([
        ['never-voted', 'compute', 'any'],
        [null, null, 'any'],
      ]);
    });
  });

  describe('in sequential mode', () => {
    it("takes only previous_job_id's votes, never job_id's, and has no fallback", async () => {
      const { queries, asked } = votes(LOG);
      const chosen = selection({ sequentialMode: true, previousJobId: 'tempest', jobId: 'packstack' });
      expect(await lastTestedRepo(queries, chosen, 0)).toMatchObject({ ciName: 'tempest', timestamp: 300 });
      await expect(lastTestedRepo(queries, { ...chosen, previousJobId: 'never-voted' }, 0)).rejects.toBeInstanceOf(
        VoteRefusedError,
      );
      expect(asked.map((a) => a.filters.jobId)).toEqual(['tempest', 'never-voted']);
    });
  });

  it('answers NO_VOTE_FOUND when nothing is newer than max_age allows', async () => {
    const { queries } = votes(LOG);
    await expect(lastTestedRepo(queries, selection(), 500)).rejects.toMatchObject({ code: 'NO_VOTE_FOUND' });
  });
});

describe('max_age cut-off', () => {
  it('is max_age hours before now, in whole seconds', () => {
    expect(voteCutoff(24, 1_700_000_000)).toBe(1_700_000_000 - 86_400);
    expect(voteCutoff(1, 7200)).toBe(3600);
  });

  it('is no cut-off at all for max_age=0', () => {
    expect(voteCutoff(0, 1_700_000_000)).toBe(0);
  });
});
