import { describe, expect, it } from 'vitest';
import type { BuildDoc } from './builds.projection.js';
import { buildsProjection } from './builds.projection.js';
import {
  countedBuilds,
  countedBuildsWithStatus,
  lastProcessed,
  lastProcessedCandidates,
  shownFirstFailure,
  successfulBuildOf,
} from './dlrn-read-rules.js';
import type { PackageBuild, PackageStatusDoc } from './package-status.projection.js';
import type { DocumentQuery, ReadModelStore } from './projection.js';

const build = (completedPosition: number | null): BuildDoc => ({ completedPosition }) as BuildDoc;

describe('DLRN read rules', () => {
  it('a counted build is finished and not rechecked; a cursor replaces the "finished" bound', () => {
    expect(countedBuilds({ where: { package: 'nova' } })).toEqual({
      where: { package: 'nova', rechecked: 0 },
      range: { completed_position: { gte: 0 } },
    });
    expect(countedBuilds({ range: { completed_position: { gt: 0, lt: 9 } } }).range).toEqual({
      completed_position: { gt: 0, lt: 9 },
    });
  });

  it('a status says the build finished: no position bound', () => {
    expect(countedBuildsWithStatus('FAILED', { where: { package: 'nova' } })).toEqual({
      where: { package: 'nova', status: 'FAILED', rechecked: 0, purpose: 'commit' },
    });
  });

  it("_get_commit: without an extended hash, DLRN's API matches any; GraphQL matches NULL", () => {
    const hashes = { commitHash: 'c', distroHash: 'd', extendedHash: null };
    expect(successfulBuildOf(hashes, 'any').where).not.toHaveProperty('extended_hash');
    expect(successfulBuildOf(hashes, 'exact').where).toHaveProperty('extended_hash', null);
    expect(successfulBuildOf(hashes, 'any')).toMatchObject({
      limit: 1,
      where: { commit_hash: 'c', distro_hash: 'd', status: 'SUCCESS', rechecked: 0, purpose: 'commit' },
      orderBy: [{ column: 'completed_position', direction: 'desc' }],
    });
  });

  it('the last processed commit is the newest non-RETRY rpm result', () => {
    expect(lastProcessedCandidates('nova').map((q) => q.where?.status)).toEqual(['SUCCESS', 'FAILED']);
    expect(lastProcessedCandidates('nova')[0]?.where).toMatchObject({
      type: 'rpm',
      package: 'nova',
      purpose: 'commit',
    });
    const older = build(3);
    const newer = build(7);
    expect(lastProcessed([older, newer])).toBe(newer);
    expect(lastProcessed([newer, older])).toBe(newer);
    expect(lastProcessed([null, older])).toBe(older);
    expect(lastProcessed([null, null])).toBeNull();
  });

  it('the first failure is shown only while the last build failed', () => {
    const firstFailure = { buildId: 'b1' } as PackageBuild;
    const doc = (status: PackageStatusDoc['status']) => ({ status, firstFailure }) as PackageStatusDoc;
    expect(shownFirstFailure(doc('FAILED'))).toBe(firstFailure);
    expect(shownFirstFailure(doc('RETRY'))).toBeNull();
    expect(shownFirstFailure(doc('SUCCESS'))).toBeNull();
  });

  it('queries name only the columns a projection declares (checked by tsc)', () => {
    const typed = (store: ReadModelStore) => {
      // @ts-expect-error: a misspelt column does not compile
      void store.find(buildsProjection, { where: { comit_hash: 'c' } });
      // @ts-expect-error: nor a range on one
      void store.count(buildsProjection, { range: { dtbuild: { gt: 1 } } });
      const ordered: DocumentQuery<'id'> = { orderBy: [{ column: 'id', direction: 'asc' }] };
      return store.find(buildsProjection, ordered);
    };
    expect(typed).toBeTypeOf('function');
  });
});
