import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildDoc } from '#domain/projections/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import type { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { ReportResultCommand, ReportResultHandler, type VerdictReport } from './report-result.handler.js';

const commit = { commitHash: 'abc', distroHash: 'def', extendedHash: null, component: 'tripleo' };
const report = (jobId: string, extra: Partial<VerdictReport> = {}): VerdictReport => ({
  jobId,
  url: 'https://ci/1',
  notes: '',
  timestamp: 1_700_000_000,
  success: true,
  commitHash: 'abc',
  distroHash: 'def',
  extendedHash: null,
  aggregateHash: null,
  ...extra,
});

describe('reporting a CI verdict', () => {
  let root: string;
  let store: SqliteEventStore;
  let handler: ReportResultHandler;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dlrn-votes-'));
    store = new SqliteEventStore(join(root, 'events.sqlite'));
    const queries: Pick<DlrnQueries, 'successfulCommit' | 'aggregateHashKnown'> = {
      successfulCommit: async (hash) => (hash === 'abc' ? ({ ...commit } as BuildDoc) : null),
      aggregateHashKnown: async (hash) => hash === 'agg',
    };
    const ids = new UuidV7IdGenerator();
    handler = new ReportResultHandler(
      queries as DlrnQueries,
      new DeciderCommandHandler(store, ids, new SystemClock(), 10),
      ids,
    );
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it("records the verdict on the commit's repo, with the commit's extended hash and component", async () => {
    const { recorded, position } = await handler.execute(new ReportResultCommand(report('periodic'), 'ci'));
    expect(recorded).toEqual({ extendedHash: null, component: 'tripleo' });
    const [event] = await store.readStream('civote-abc_def');
    expect(event).toMatchObject({ type: 'CiVoteReported', position, data: { jobId: 'periodic', user: 'ci' } });
  });

  it('refuses an unknown commit or aggregate hash, recording nothing', async () => {
    await expect(
      handler.execute(new ReportResultCommand(report('p', { commitHash: 'zzz' }), 'ci')),
    ).rejects.toMatchObject({
      code: 'COMMIT_NOT_FOUND',
      message: 'commit_hash+distro_hash+extended_hash combination not found',
    });
    await expect(
      handler.execute(new ReportResultCommand(report('p', { aggregateHash: 'nope' }), 'ci')),
    ).rejects.toMatchObject({ code: 'AGGREGATE_HASH_NOT_FOUND', message: 'aggregate_hash not found' });
    expect(await store.headPosition()).toBe(0);
  });

  it('records the verdicts of many CI jobs reporting on one repo at once', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    await Promise.all(jobs.map((job) => handler.execute(new ReportResultCommand(report(job), 'ci'))));
    expect(await store.readStream('civote-abc_def')).toHaveLength(jobs.length);
  });
});
