import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildDecider } from '#domain/build/build.decider.js';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import { aggregateVoteStreamId, voteStreamId } from '#domain/ci-vote/ci-vote.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventPayload } from '#domain/shared/event.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { ALL_PROJECTIONS, type ReadModelStore } from '#domain/projections/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';

/**
 * A small DLRN history for the GraphQL specs, in the spirit of DLRN's `commits_2.yaml` fixture:
 * written through the real deciders (discover, claim, start, complete, recheck, purge) plus the
 * CI's votes, so the projections hold what a running service would hold.
 */
export const DISTRO = '008678d7b0e20fbae185f2bb1bd0d9d167586211';
/** Test-only: a readable 40-hex hash per label. */
export const hashOf = (label: string) => createHash('sha1').update(label).digest('hex');
export const T0 = Date.parse('2026-03-01T00:00:00Z') / 1000;

type Outcome = 'SUCCESS' | 'FAILED' | 'RETRY';
interface Build {
  readonly pkg: string;
  readonly label: string;
  readonly outcome: Outcome | null;
  readonly component?: string;
  readonly extendedHash?: string;
  readonly recheck?: boolean;
  readonly purge?: boolean;
}

/** In result order: DLRN ids 1…n would follow it. */
export const BUILDS: readonly Build[] = [
  { pkg: 'python-pysaml2', label: 'pysaml2-1', outcome: 'SUCCESS' },
  { pkg: 'python-alembic', label: 'alembic-1', outcome: 'SUCCESS', purge: true },
  { pkg: 'puppet-stdlib', label: 'stdlib-1', outcome: 'FAILED', component: 'tripleo' },
  { pkg: 'python-novaclient', label: 'novaclient-1', outcome: 'FAILED' },
  { pkg: 'puppet-apache', label: 'apache-1', outcome: 'SUCCESS', component: 'tripleo' },
  { pkg: 'python-alembic', label: 'alembic-2', outcome: 'SUCCESS' },
  { pkg: 'puppet-stdlib', label: 'stdlib-2', outcome: 'SUCCESS', component: 'tripleo' },
  { pkg: 'puppet-apache', label: 'apache-2', outcome: 'FAILED', component: 'tripleo' },
  { pkg: 'python-pysaml2', label: 'pysaml2-2', outcome: 'FAILED', recheck: true },
  { pkg: 'puppet-apache', label: 'apache-3', outcome: 'FAILED', component: 'tripleo' },
  { pkg: 'openstack-nova', label: 'nova-1', outcome: 'SUCCESS', extendedHash: '1234567890_1234567890' },
  { pkg: 'openstack-nova', label: 'nova-2', outcome: 'SUCCESS', extendedHash: '0987654321_1234567890' },
  { pkg: 'puppet-apache', label: 'apache-4', outcome: 'RETRY', component: 'tripleo' },
  { pkg: 'python-kombu', label: 'kombu-1', outcome: null },
];

/** The CI's verdicts (oldest first), and claims. */
export const VOTES = [
  { on: 'alembic-2', job: 'current-passed-ci', success: true, claim: false, user: 'ci', component: null },
  { on: 'alembic-2', job: 'current-passed-ci', success: false, claim: true, user: 'foo', component: null },
  { on: 'stdlib-2', job: 'another-ci', success: false, claim: false, user: 'bar', component: 'tripleo' },
  { on: 'alembic-1', job: 'old-ci', success: true, claim: false, user: 'ci', component: null },
] as const;

export const AGG_VOTES = [
  { hash: '12345678', job: 'phase1-ci', success: true },
  { hash: '12345678', job: 'phase2-ci', success: false },
  { hash: 'abcdef12', job: 'phase1-ci', success: true },
] as const;

export const timestampOfVote = (index: number) => T0 + 10_000 + index * 60;

export async function seedGraphqlHistory(store: EventStore): Promise<void> {
  let n = 0;
  let clock = T0 * 1000;
  const ids = {
    next: () => `0190${(++n).toString(16).padStart(8, '0')}-0000-7000-8000-${n.toString(16).padStart(12, '0')}`,
  };
  const time = { now: () => new Date((clock += 60_000)) };
  const handler = new DeciderCommandHandler(store, ids, time);
  const context = { correlationId: 'graphql-seed', causationId: null, actor: 'test' };
  const append = (stream: string, payloads: EventPayload[]) =>
    store.append(stream, stampEvents(payloads, context, { ids, clock: time, schemaVersion: schemaVersionOf }));
  const refOf = (build: Build) => ({
    commitHash: hashOf(build.label),
    distroHash: DISTRO,
    extendedHash: build.extendedHash ?? null,
  });
  for (const build of BUILDS) {
    const ref = refOf(build);
    const stream = buildStreamId(build.pkg, ref);
    const repoDir = `${ref.commitHash.slice(0, 2)}/${ref.commitHash.slice(2, 4)}/${ref.commitHash}_${DISTRO.slice(0, 8)}`;
    const run = (command: Parameters<typeof buildDecider.decide>[0]) =>
      handler.handle(stream, buildDecider, command, context);
    const commit: CommitDiscovered['data'] = {
      package: build.pkg,
      project: build.pkg.replace(/^(python|puppet|openstack)-/, ''),
      type: 'rpm',
      ...ref,
      dtCommit: Math.floor(clock / 1000) - 3600,
      dtDistro: T0 - 86_400,
      dtExtended: build.extendedHash ? T0 - 7200 : null,
      commitBranch: 'master',
      component: build.component ?? null,
      upstreamUrl: `https://github.com/openstack/${build.pkg}`,
      distgitUrl: null,
      versionsCsv: null,
      purpose: { kind: 'commit' },
    };
    await run({ type: 'DiscoverCommit', commit });
    if (build.outcome === null) continue;
    const buildId = ids.next();
    await run({ type: 'ClaimBuild', buildId, builderId: 'builder-1', now: time.now(), leaseMs: 3_600_000 });
    await run({ type: 'StartBuild', buildId, dtBuild: Math.floor(clock / 1000), workerId: 1, driver: 'mockbuild' });
    const outcome =
      build.outcome === 'SUCCESS'
        ? {
            status: 'success' as const,
            artifacts: [
              `repos/${repoDir}/${build.pkg}-1.0-1.src.rpm`,
              `repos/${repoDir}/${build.pkg}-1.0-1.noarch.rpm`,
            ],
            nvr: `${build.pkg}-1.0-1`,
            publication: {
              package: build.pkg,
              ...ref,
              component: build.component ?? null,
              repoDir,
              failures: 0,
              packages: [],
              withRepodata: true,
            },
          }
        : {
            status: 'failure' as const,
            notes: 'Error: rpmbuild failed',
            transientError: build.outcome === 'RETRY' ? 'No more mirrors to try' : null,
          };
    await run({ type: 'CompleteBuild', buildId, repoDir, outcome, maxRetries: 3 });
    if (build.recheck) await run({ type: 'RecheckBuild', force: false, allowForceRechecks: false });
    if (build.purge) await run({ type: 'PurgeBuild', directoryRemoved: true });
  }
  for (const [index, vote] of VOTES.entries()) {
    const build = BUILDS.find((b) => b.label === vote.on)!;
    const ref = refOf(build);
    const data = {
      ...ref,
      component: vote.component,
      jobId: vote.job,
      url: `https://ci.example.org/${vote.job}/${index}`,
      notes: '',
      timestamp: timestampOfVote(index),
      user: vote.user,
    };
    await append(voteStreamId(ref.commitHash, ref.distroHash, ref.extendedHash), [
      vote.claim ? { type: 'RepoClaimed', data } : { type: 'CiVoteReported', data: { ...data, success: vote.success } },
    ]);
  }
  for (const [index, vote] of AGG_VOTES.entries()) {
    await append(aggregateVoteStreamId(vote.hash), [
      {
        type: 'AggregateVoteReported',
        data: {
          aggregateHash: vote.hash,
          jobId: vote.job,
          url: `http://dummyci.example.com/${vote.job}`,
          notes: '',
          timestamp: T0 + 20_000 + index * 60,
          user: 'ci',
          success: vote.success,
          inProgress: false,
        },
      },
    ]);
  }
}

/**
 * Events written by `seed` into `<dir>/events.sqlite`, projected by the projector into
 * `<dir>/views.sqlite`; the read-model store is the caller's to close.
 */
export async function projectedViews(
  dir: string,
  seed: (eventsFile: string) => Promise<void> | void = seedGraphqlFile,
): Promise<ReadModelStore> {
  await seed(join(dir, 'events.sqlite'));
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const views = await openSqliteReadModelStore(join(dir, 'views.sqlite'));
  const engine = new ProjectionEngine(events, views, ALL_PROJECTIONS, { owner: 'graphql-spec' });
  await engine.start();
  await engine.run({ untilCaughtUp: true });
  await engine.stop();
  await events.close();
  return views;
}

async function seedGraphqlFile(file: string): Promise<void> {
  const events = new SqliteEventStore(file);
  await seedGraphqlHistory(events);
  await events.close();
}
