import fc from 'fast-check';
import { buildDecider } from '#domain/build/build.decider.js';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import { buildStreamId, packageStreamId } from '#domain/build/commit-ref.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import { aggregateVoteStreamId, voteStreamId } from '#domain/ci-vote/ci-vote.events.js';
import { promotionStreamId } from '#domain/promotion/promotion.events.js';
import { pointerStreamId } from '#domain/repo/repo.events.js';
import { DomainError } from '#domain/shared/errors.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventPayload } from '#domain/shared/event.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { userDecider } from '#domain/user/user.decider.js';
import { userStreamId } from '#domain/user/user.events.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/** One step of a random but valid history: what a builder, a CI system or an admin would do. */
export type Step =
  | { kind: 'discover'; pkg: number; commit: number }
  | { kind: 'claim'; pkg: number; commit: number; builder: number }
  | { kind: 'finish'; pkg: number; commit: number; outcome: 'success' | 'failure' | 'transient'; failures: number }
  | { kind: 'recheck'; pkg: number; commit: number; force: boolean }
  | { kind: 'purge'; pkg: number; commit: number }
  | { kind: 'vote'; pkg: number; commit: number; job: number; success: boolean; claim: boolean }
  | { kind: 'aggvote'; hash: number; success: boolean }
  | { kind: 'promote'; pkg: number; commit: number; name: number }
  | { kind: 'pointer'; pkg: number; commit: number; consistent: boolean }
  | { kind: 'mail'; pkg: number }
  | { kind: 'user'; user: number; op: 'create' | 'update' | 'delete' };

const small = (max: number) => fc.integer({ min: 0, max });
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('discover' as const), pkg: small(3), commit: small(5) }),
  fc.record({ kind: fc.constant('claim' as const), pkg: small(3), commit: small(5), builder: small(1) }),
  fc.record({
    kind: fc.constant('finish' as const),
    pkg: small(3),
    commit: small(5),
    outcome: fc.constantFrom('success' as const, 'failure' as const, 'transient' as const),
    failures: small(2),
  }),
  fc.record({ kind: fc.constant('recheck' as const), pkg: small(3), commit: small(5), force: fc.boolean() }),
  fc.record({ kind: fc.constant('purge' as const), pkg: small(3), commit: small(5) }),
  fc.record({
    kind: fc.constant('vote' as const),
    pkg: small(3),
    commit: small(5),
    job: small(2),
    success: fc.boolean(),
    claim: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('aggvote' as const), hash: small(2), success: fc.boolean() }),
  fc.record({ kind: fc.constant('promote' as const), pkg: small(3), commit: small(5), name: small(1) }),
  fc.record({ kind: fc.constant('pointer' as const), pkg: small(3), commit: small(5), consistent: fc.boolean() }),
  fc.record({ kind: fc.constant('mail' as const), pkg: small(3) }),
  fc.record({
    kind: fc.constant('user' as const),
    user: small(1),
    op: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
  }),
);

const hex = (n: number, width = 40) => n.toString(16).padStart(width, '0');
const pkgName = (pkg: number) => `pkg-${pkg}`;
const commitOf = (pkg: number, commit: number) => hex(pkg * 100 + commit + 1);
const DISTRO = 'd'.repeat(40);

/** Plays steps against a store through the real deciders; steps the rules refuse are skipped. */
export async function playHistory(store: EventStore, steps: readonly Step[]): Promise<void> {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let n = 0;
  const ids = {
    next: () => `0190${(++n).toString(16).padStart(8, '0')}-0000-7000-8000-${n.toString(16).padStart(12, '0')}`,
  };
  const time = { now: () => new Date((clock += 60_000)) };
  const handler = new DeciderCommandHandler(store, ids, time);
  const context = { correlationId: 'history', causationId: null, actor: 'test' };
  const append = async (stream: string, payloads: EventPayload[]) =>
    store.append(stream, stampEvents(payloads, context, { ids, clock: time, schemaVersion: schemaVersionOf }));
  const claims = new Map<string, string>();
  for (const step of steps) {
    try {
      if ('pkg' in step && step.kind !== 'mail') {
        const commitHash = commitOf(step.pkg, step.commit);
        const stream = buildStreamId(pkgName(step.pkg), { commitHash, distroHash: DISTRO, extendedHash: null });
        const repoDir = `${commitHash.slice(0, 2)}/${commitHash.slice(2, 4)}/${commitHash}_dddddddd`;
        switch (step.kind) {
          case 'discover': {
            const commit: CommitDiscovered['data'] = {
              package: pkgName(step.pkg),
              project: `p${step.pkg}`,
              type: 'rpm',
              commitHash,
              distroHash: DISTRO,
              extendedHash: null,
              dtCommit: 1_700_000_000 + step.commit * 100,
              dtDistro: 1_700_000_000,
              dtExtended: null,
              commitBranch: 'master',
              component: step.pkg % 2 === 0 ? 'cloud' : null,
              upstreamUrl: null,
              distgitUrl: null,
              versionsCsv: null,
              purpose: { kind: 'commit' },
            };
            await handler.handle(stream, buildDecider, { type: 'DiscoverCommit', commit }, context);
            break;
          }
          case 'claim': {
            const buildId = ids.next();
            await handler.handle(
              stream,
              buildDecider,
              { type: 'ClaimBuild', buildId, builderId: `b${step.builder}`, now: time.now(), leaseMs: 3_600_000 },
              context,
            );
            claims.set(stream, buildId);
            await handler.handle(
              stream,
              buildDecider,
              { type: 'StartBuild', buildId, dtBuild: Math.floor(clock / 1000), workerId: 1, driver: 'rpmbuild' },
              context,
            );
            break;
          }
          case 'finish': {
            const buildId = claims.get(stream);
            if (!buildId) break;
            const outcome =
              step.outcome === 'success'
                ? {
                    status: 'success' as const,
                    artifacts: [`repos/${repoDir}/x-1-1.src.rpm`],
                    nvr: 'x-1-1',
                    publication: {
                      package: pkgName(step.pkg),
                      commitHash,
                      distroHash: DISTRO,
                      extendedHash: null,
                      component: null,
                      repoDir,
                      failures: step.failures,
                      packages: [],
                      withRepodata: true,
                    },
                  }
                : {
                    status: 'failure' as const,
                    notes: 'boom',
                    transientError: step.outcome === 'transient' ? 'No more mirrors to try' : null,
                  };
            await handler.handle(
              stream,
              buildDecider,
              { type: 'CompleteBuild', buildId, repoDir, outcome, maxRetries: 2 },
              context,
            );
            break;
          }
          case 'recheck':
            await handler.handle(
              stream,
              buildDecider,
              { type: 'RecheckBuild', force: step.force, allowForceRechecks: true },
              context,
            );
            break;
          case 'purge':
            await handler.handle(stream, buildDecider, { type: 'PurgeBuild', directoryRemoved: true }, context);
            break;
          case 'vote': {
            const data = {
              commitHash,
              distroHash: DISTRO,
              extendedHash: null,
              component: null,
              jobId: `job-${step.job}`,
              url: 'http://ci',
              notes: '',
              timestamp: Math.floor(clock / 1000),
              user: 'ci',
            };
            await append(voteStreamId(commitHash, DISTRO, null), [
              step.claim
                ? { type: 'RepoClaimed', data }
                : { type: 'CiVoteReported', data: { ...data, success: step.success } },
            ]);
            break;
          }
          case 'promote':
            await append(promotionStreamId(`promo-${step.name}`), [
              {
                type: 'RepoPromoted',
                data: {
                  promotionName: `promo-${step.name}`,
                  commitHash,
                  distroHash: DISTRO,
                  extendedHash: null,
                  component: step.pkg % 2 === 0 ? 'cloud' : null,
                  repoDir,
                  previousRepoDir: null,
                  timestamp: Math.floor(clock / 1000),
                  user: 'admin',
                  aggregateHash: null,
                },
              },
            ]);
            break;
          case 'pointer':
            await append(pointerStreamId(step.consistent ? 'consistent' : 'current'), [
              {
                type: step.consistent ? 'ConsistentMoved' : 'CurrentMoved',
                data: { buildId: claims.get(stream) ?? 'none', repoDir, previousRepoDir: null, component: null },
              },
            ]);
            break;
        }
      } else if (step.kind === 'aggvote') {
        await append(aggregateVoteStreamId(hex(step.hash, 32)), [
          {
            type: 'AggregateVoteReported',
            data: {
              aggregateHash: hex(step.hash, 32),
              jobId: 'agg',
              url: '',
              notes: '',
              timestamp: Math.floor(clock / 1000),
              user: null,
              success: step.success,
              inProgress: false,
            },
          },
        ]);
      } else if (step.kind === 'mail') {
        await append(packageStreamId(pkgName(step.pkg)), [
          {
            type: 'FailureNotified',
            data: {
              package: pkgName(step.pkg),
              buildId: 'x',
              recipients: ['a@b'],
              subject: 's',
              sentAt: Math.floor(clock / 1000),
            },
          },
        ]);
      } else if (step.kind === 'user') {
        const username = `user${step.user}`;
        const command =
          step.op === 'create'
            ? { type: 'CreateUser' as const, username, passwordHash: '$scrypt$x' }
            : step.op === 'update'
              ? { type: 'ChangePassword' as const, username, passwordHash: '$scrypt$y' }
              : { type: 'DeleteUser' as const, username };
        await handler.handle(userStreamId(username), userDecider, command, context);
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
}
