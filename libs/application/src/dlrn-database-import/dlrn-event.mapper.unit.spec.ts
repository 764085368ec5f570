import { describe, expect, it } from 'vitest';
import { DlrnEventMapper, ImportRowError, sourceIdOf, type ImportBatch } from './dlrn-event.mapper.js';
import type {
  DlrnCiVoteRow,
  DlrnCommitRow,
  DlrnPromotionRow,
  DlrnRow,
} from '#infrastructure/dlrn-database/dlrn-rows.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const FOO = 'aaaa111111111111111111111111111111111111';
const DIST = 'dddd111111111111111111111111111111111111';

function commit(overrides: Partial<DlrnCommitRow> = {}): DlrnCommitRow {
  return {
    id: 1,
    type: 'rpm',
    dt_commit: 1699990000,
    dt_distro: 1699980000,
    dt_extended: null,
    dt_build: 1700000100,
    project_name: 'python-foo',
    commit_hash: FOO,
    distro_hash: DIST,
    extended_hash: null,
    commit_branch: 'master',
    status: 'SUCCESS',
    component: null,
    artifacts: `repos/aa/aa/${FOO}_dddd1111/python-foo-1.0-1.el9.src.rpm,repos/aa/aa/${FOO}_dddd1111/python-foo-1.0-1.el9.noarch.rpm`,
    notes: 'OK',
    flags: 0,
    versions_csv: null,
    ...overrides,
  };
}

const joined = {
  project_name: 'python-foo',
  commit_hash: FOO,
  distro_hash: DIST,
  extended_hash: null,
  component: null,
};

function vote(overrides: Partial<DlrnCiVoteRow> = {}): DlrnCiVoteRow {
  return {
    id: 1,
    commit_id: 1,
    ci_name: 'job',
    ci_url: 'https://ci/1',
    ci_vote: 1,
    ci_in_progress: 0,
    timestamp: 1700000200,
    notes: 'ok',
    user: 'ciuser',
    component: null,
    commit: joined,
    ...overrides,
  };
}

function promotion(overrides: Partial<DlrnPromotionRow> = {}): DlrnPromotionRow {
  return {
    id: 1,
    commit_id: 1,
    promotion_name: 'current-passed-ci',
    timestamp: 1700000300,
    user: 'ciuser',
    component: null,
    aggregate_hash: null,
    commit: joined,
    ...overrides,
  };
}

function mapAll(rows: readonly DlrnRow[], sourceId = 'source-a'): ImportBatch[] {
  const mapper = new DlrnEventMapper({ sourceId, buildDriver: 'mock', maxRetries: 3, now: NOW });
  return rows.flatMap((row) => mapper.map(row));
}

const types = (batch: ImportBatch | undefined): string[] => batch?.events.map((e) => e.type) ?? [];
const data = (batch: ImportBatch | undefined, index: number): Record<string, unknown> =>
  batch!.events[index]!.data as Record<string, unknown>;

describe('when a successful commits row is mapped', () => {
  const [batch] = mapAll([{ table: 'commits', row: commit() }]);

  it('writes the build stream the build loop would have written, in one batch', () => {
    expect(batch!.streamId).toBe(`build-python-foo@${FOO}_${DIST}`);
    expect(types(batch)).toEqual(['CommitDiscovered', 'BuildClaimed', 'BuildStarted', 'BuildSucceeded']);
  });

  it('carries the row: hashes, times, branch, artifacts, the NVR and the sharded repo dir', () => {
    expect(data(batch, 0)).toMatchObject({
      package: 'python-foo',
      commitHash: FOO,
      distroHash: DIST,
      extendedHash: null,
      dtCommit: 1699990000,
      dtDistro: 1699980000,
      commitBranch: 'master',
      type: 'rpm',
    });
    expect(data(batch, 1)).toMatchObject({ attempt: 1, builderId: 'import-db' });
    expect(data(batch, 2)).toMatchObject({ dtBuild: 1700000100, driver: 'mock' });
    expect(data(batch, 3)).toEqual({
      buildId: data(batch, 1)['buildId'],
      artifacts: [
        `repos/aa/aa/${FOO}_dddd1111/python-foo-1.0-1.el9.src.rpm`,
        `repos/aa/aa/${FOO}_dddd1111/python-foo-1.0-1.el9.noarch.rpm`,
      ],
      nvr: 'python-foo-1.0-1.el9',
      repoDir: `aa/aa/${FOO}_dddd1111`,
      notes: 'OK',
    });
  });

  it('stamps the import as actor and trigger, at the time of the build', () => {
    for (const event of batch!.events) {
      expect(event.metadata).toMatchObject({
        actor: 'import-db',
        trigger: 'import',
        occurredAt: '2023-11-14T22:15:00.000Z',
        // CommitDiscovered is at version 2 since builds have a purpose (issue 20).
        schemaVersion: event.type === 'CommitDiscovered' ? 2 : 1,
        causationId: null,
      });
    }
  });
});

describe('when the same database is mapped twice', () => {
  const rows: DlrnRow[] = [
    { table: 'commits', row: commit() },
    { table: 'civotes', row: vote() },
  ];

  it('derives the same event ids', () => {
    const ids = (batches: ImportBatch[]) => batches.flatMap((b) => b.events.map((e) => e.metadata.eventId));
    expect(ids(mapAll(rows))).toEqual(ids(mapAll(rows)));
    expect(new Set(ids(mapAll(rows))).size).toBe(5);
  });

  it('derives other ids for another database', () => {
    const a = mapAll(rows, 'source-a')[0]!.events[0]!.metadata.eventId;
    const b = mapAll(rows, 'source-b')[0]!.events[0]!.metadata.eventId;
    expect(a).not.toBe(b);
  });

  it('identifies a database by its first commit', () => {
    expect(sourceIdOf(commit())).toBe(sourceIdOf(commit({ notes: 'changed', flags: 2 })));
    expect(sourceIdOf(commit())).not.toBe(sourceIdOf(commit({ commit_hash: 'b'.repeat(40) })));
  });
});

describe('when a commit was retried, then built', () => {
  const [retry, success] = mapAll([
    { table: 'commits', row: commit({ status: 'RETRY', notes: 'Error downloading packages: boom', artifacts: null }) },
    { table: 'commits', row: commit({ id: 2, dt_build: 1700000200 }) },
  ]);

  it('records the retry with the transient error it matched', () => {
    expect(types(retry)).toEqual(['CommitDiscovered', 'BuildClaimed', 'BuildStarted', 'BuildRetryScheduled']);
    expect(data(retry, 3)).toMatchObject({
      retries: 1,
      maxRetries: 3,
      matchedError: 'Error downloading packages: boom',
    });
  });

  it('appends the second attempt to the same stream without discovering it again', () => {
    expect(success!.streamId).toBe(retry!.streamId);
    expect(types(success)).toEqual(['BuildClaimed', 'BuildStarted', 'BuildSucceeded']);
    expect(data(success, 0)).toMatchObject({ attempt: 2 });
    expect(data(success, 0)['buildId']).not.toBe(data(retry, 1)['buildId']);
  });
});

describe('when a build was purged', () => {
  it('ends its batch with BuildPurged', () => {
    const [batch] = mapAll([{ table: 'commits', row: commit({ flags: 2 }) }]);
    expect(types(batch).at(-1)).toBe('BuildPurged');
    expect(data(batch, 4)).toMatchObject({ repoDir: `aa/aa/${FOO}_dddd1111`, directoryRemoved: true });
  });
});

describe('when a package failed and its maintainers were mailed', () => {
  const batches = mapAll([
    { table: 'commits', row: commit({ status: 'FAILED', notes: 'rpmbuild failed', artifacts: null }) },
    { table: 'projects', row: { id: 1, project_name: 'python-foo', last_email: 1700000610 } },
    { table: 'projects', row: { id: 2, project_name: 'python-bar', last_email: 0 } },
  ]);

  it('records the failure', () => {
    expect(types(batches[0])).toContain('BuildFailed');
    expect(data(batches[0], 3)).toEqual({
      buildId: data(batches[0], 1)['buildId'],
      repoDir: `aa/aa/${FOO}_dddd1111`,
      notes: 'rpmbuild failed',
    });
  });

  it('turns last_email into a FailureNotified for the last failure, and nothing for a package never mailed', () => {
    expect(batches).toHaveLength(2);
    expect(batches[1]!.streamId).toBe('package-python-foo');
    expect(data(batches[1], 0)).toEqual({
      package: 'python-foo',
      buildId: data(batches[0], 1)['buildId'],
      recipients: [],
      subject: '',
      sentAt: 1700000610,
    });
  });
});

describe('when CI voted on a repository', () => {
  const [, report, claim] = mapAll([
    { table: 'commits', row: commit() },
    { table: 'civotes', row: vote({ ci_name: 'consistent', user: null, ci_url: '', notes: null }) },
    { table: 'civotes', row: vote({ id: 2, ci_in_progress: 1, ci_vote: 0, component: 'tripleo' }) },
  ]);

  it('records a verdict, DLRN `consistent` votes included', () => {
    expect(report!.streamId).toBe(`civote-${FOO}_${DIST}`);
    expect(report!.events[0]!.type).toBe('CiVoteReported');
    expect(data(report, 0)).toEqual({
      commitHash: FOO,
      distroHash: DIST,
      extendedHash: null,
      component: null,
      jobId: 'consistent',
      url: '',
      notes: '',
      timestamp: 1700000200,
      user: null,
      success: true,
    });
  });

  it('records an in-progress row as a claim of the repository', () => {
    expect(claim!.events[0]!.type).toBe('RepoClaimed');
    expect(data(claim, 0)).not.toHaveProperty('success');
    expect(data(claim, 0)).toMatchObject({ component: 'tripleo', user: 'ciuser' });
  });

  it('records aggregate votes on their hash', () => {
    const [agg] = mapAll([
      {
        table: 'civotes_agg',
        row: { ...vote(), ref_hash: '0123456789abcdef0123456789abcdef', ci_in_progress: 1 },
      },
    ]);
    expect(agg!.streamId).toBe('aggvote-0123456789abcdef0123456789abcdef');
    expect(data(agg, 0)).toMatchObject({ aggregateHash: '0123456789abcdef0123456789abcdef', inProgress: true });
  });
});

describe('when a name was promoted several times', () => {
  const other = { ...joined, commit_hash: 'b'.repeat(40) };
  const batches = mapAll([
    { table: 'promotions', row: promotion() },
    { table: 'promotions', row: promotion({ id: 2, promotion_name: 'other' }) },
    { table: 'promotions', row: promotion({ id: 3, commit: other }) },
    {
      table: 'promotions',
      row: promotion({
        id: 4,
        component: 'tripleo',
        aggregate_hash: 'fedcba',
        commit: { ...joined, component: 'tripleo' },
      }),
    },
  ]);

  it('links each promotion to the repository the name pointed at before', () => {
    expect(data(batches[0], 0)['previousRepoDir']).toBeNull();
    expect(data(batches[1], 0)['previousRepoDir']).toBeNull();
    expect(data(batches[2], 0)).toMatchObject({
      repoDir: `bb/bb/${'b'.repeat(40)}_dddd1111`,
      previousRepoDir: `aa/aa/${FOO}_dddd1111`,
    });
  });

  it('keeps component promotions apart, with their aggregate hash', () => {
    expect(batches[3]!.streamId).toBe('promotion-current-passed-ci@component/tripleo');
    expect(data(batches[3], 0)).toMatchObject({
      component: 'tripleo',
      aggregateHash: 'fedcba',
      repoDir: `component/tripleo/aa/aa/${FOO}_dddd1111`,
      previousRepoDir: null,
    });
  });
});

describe('when a user is imported', () => {
  it("keeps DLRN's password hash as it is", () => {
    const hash = '$6$rounds=656000$salt$' + 'x'.repeat(86);
    const [batch] = mapAll([{ table: 'users', row: { username: 'ciuser', password: hash } }]);
    expect(batch!.streamId).toBe('user-ciuser');
    expect(batch!.events[0]!.type).toBe('UserCreated');
    expect(data(batch, 0)).toEqual({ username: 'ciuser', passwordHash: hash });
    expect(batch!.events[0]!.metadata.occurredAt).toBe(NOW.toISOString());
  });
});

describe('when a row cannot become events', () => {
  it.each([
    ['a hash with a space', commit({ commit_hash: 'not a hash' }), /commits row 1: invalid commit_hash/],
    ['an unknown status', commit({ status: 'BUILDING' }), /commits row 1: unknown status "BUILDING"/],
    ['a package name with a slash', commit({ project_name: '../etc' }), /commits row 1: invalid package name/],
  ])('refuses %s', (_what, row, message) => {
    expect(() => mapAll([{ table: 'commits', row }])).toThrow(message);
  });

  it('refuses the votes and promotions of a skipped commit, and those naming no commit', () => {
    const mapper = new DlrnEventMapper({ sourceId: 's', buildDriver: 'mock', maxRetries: 3, now: NOW });
    expect(() => mapper.map({ table: 'commits', row: commit({ status: 'BUILDING' }) })).toThrow(ImportRowError);
    expect(() => mapper.map({ table: 'civotes', row: vote() })).toThrow(
      /civotes row 1: its commit \(id 1\) was skipped/,
    );
    expect(() => mapper.map({ table: 'promotions', row: promotion({ commit_id: 9, commit: null }) })).toThrow(
      /promotions row 1: commit_id 9 names no commit/,
    );
  });

  it('refuses a promotion name that is not a path segment', () => {
    expect(() => mapAll([{ table: 'promotions', row: promotion({ promotion_name: 'a/b' }) }])).toThrow(
      /promotion name "a\/b"/,
    );
  });
});
