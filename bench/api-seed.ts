/**
 * The store behind `bench/api.bench.ts`: a realistic history (builds over ~60 days, CI votes,
 * promotions with aggregate hashes, aggregate votes) appended with the real event shapes and
 * stream ids, projected once, and a projects.ini naming both stores.
 */
import { appendFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  BuildClaimed,
  BuildFailed,
  BuildRetryScheduled,
  BuildStarted,
  BuildSucceeded,
  CommitDiscovered,
} from '#domain/build/build.events.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import { shardedRepoDir } from '#domain/repo/repo-path.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import {
  aggregateVoteStreamId,
  voteStreamId,
  type AggregateVoteReported,
  type CiVoteReported,
  type RepoClaimed,
} from '#domain/ci-vote/ci-vote.events.js';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import { promotionStreamId, type RepoPromoted } from '#domain/promotion/promotion.events.js';
import { pointerStreamId, type CurrentMoved, type RepoPublished } from '#domain/repo/repo.events.js';
import type { DomainEvent, EventPayload } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';

export interface SeedSize {
  readonly builds: number;
  readonly packages: number;
  readonly votes: number;
  readonly aggregateVotes: number;
  readonly promotions: number;
}

/** What the bench asks for: keys that exist in the seeded views. */
export interface SeededStore {
  readonly configFile: string;
  readonly events: number;
  readonly votedRepo: { readonly commitHash: string; readonly distroHash: string };
  readonly jobId: string;
  readonly aggregateHash: string;
  /** `YYYY-mm-dd` bounds covering the builds. */
  readonly startDate: string;
  readonly endDate: string;
}

const DAY = 86_400;
const JOBS = 12;
const COMPONENTS = ['baremetal', 'cinder', 'clients', 'cloudops', 'common', 'compute', 'network', 'tripleo'];
const PROMOTION_NAMES = [
  'current-passed-ci',
  'tripleo-ci-testing',
  'previous-current-passed-ci',
  'promoted-components',
];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const day = (epoch: number) => new Date(epoch * 1000).toISOString().slice(0, 10);

/** A small deterministic PRNG (mulberry32): the same store on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function seedApiStore(dir: string, size: SeedSize): Promise<SeededStore> {
  const eventsFile = join(dir, 'events.sqlite');
  const viewsFile = join(dir, 'views.sqlite');
  const store = new SqliteEventStore(eventsFile);
  const rand = random(20_260_101);
  let ids = 0;
  let written = 0;
  const stamp = (payloads: readonly EventPayload[], at: number, actor: string): DomainEvent[] =>
    payloads.map((payload) => {
      ids += 1;
      return {
        type: payload.type,
        data: payload.data,
        metadata: {
          schemaVersion: schemaVersionOf(payload.type),
          eventId: `01900000-0000-7000-8000-${hex(ids, 12)}`,
          occurredAt: new Date(at * 1000).toISOString(),
          correlationId: `seed-${ids}`,
          causationId: null,
          actor,
        },
      };
    });
  const append = (stream: string, payloads: readonly EventPayload[], at: number, actor = 'builder:seed') => {
    store.appendSync(stream, stamp(payloads, at, actor));
    written += payloads.length;
  };

  const now = Math.floor(Date.now() / 1000);
  const start = now - 60 * DAY;
  const step = (60 * DAY) / size.builds;
  const distroHash = 'ab'.repeat(20);
  const successes: { commitHash: string; repoDir: string; at: number; component: string }[] = [];
  for (let b = 0; b < size.builds; b++) {
    const pkg = `package-${b % size.packages}`;
    const component = COMPONENTS[(b % size.packages) % COMPONENTS.length]!;
    const commitHash = hex(b + 1, 40);
    const at = Math.floor(start + b * step);
    const buildId = `01800000-0000-7000-8000-${hex(b + 1, 12)}`;
    const repoDir = shardedRepoDir({ commitHash, distroHash, extendedHash: null });
    const roll = rand();
    const payloads: EventPayload[] = [
      {
        type: 'CommitDiscovered',
        data: {
          package: pkg,
          project: pkg,
          type: 'rpm',
          commitHash,
          distroHash,
          extendedHash: null,
          dtCommit: at - 30,
          dtDistro: at - 3000,
          dtExtended: null,
          commitBranch: 'master',
          component,
          upstreamUrl: `https://git.example.org/${pkg}`,
          distgitUrl: `https://git.example.org/${pkg}-distgit`,
          versionsCsv: null,
          purpose: { kind: 'commit' },
        } satisfies CommitDiscovered['data'],
      },
      {
        type: 'BuildClaimed',
        data: {
          buildId,
          attempt: 1,
          builderId: 'builder-1',
          leaseExpiresAt: new Date((at + 21_600) * 1000).toISOString(),
        } satisfies BuildClaimed['data'],
      },
      {
        type: 'BuildStarted',
        data: { buildId, dtBuild: at, workerId: 1, driver: 'rpmbuild' } satisfies BuildStarted['data'],
      },
    ];
    if (roll < 0.85) {
      payloads.push(
        {
          type: 'BuildSucceeded',
          data: {
            buildId,
            artifacts: [`repos/${repoDir}/${pkg}-1.0-0.1.src.rpm`, `repos/${repoDir}/${pkg}-1.0-0.1.noarch.rpm`],
            nvr: `${pkg}-1.0-0.1`,
            repoDir,
            notes: 'OK',
          } satisfies BuildSucceeded['data'],
        },
        {
          type: 'RepoPublished',
          data: {
            buildId,
            package: pkg,
            commitHash,
            distroHash,
            extendedHash: null,
            component,
            repoDir,
            failures: roll < 0.2 ? 0 : 1,
            packages: [],
            withRepodata: true,
          } satisfies RepoPublished['data'],
        },
      );
      successes.push({ commitHash, repoDir, at, component });
    } else if (roll < 0.95) {
      payloads.push({
        type: 'BuildFailed',
        data: {
          buildId,
          repoDir,
          notes: `Error in build_rpm_wrapper for ${pkg}: rpmbuild exited with code 1`,
        } satisfies BuildFailed['data'],
      });
    } else {
      payloads.push({
        type: 'BuildRetryScheduled',
        data: {
          buildId,
          repoDir,
          notes: 'mirror',
          matchedError: 'No more mirrors to try',
          retries: 1,
          maxRetries: 3,
        } satisfies BuildRetryScheduled['data'],
      });
    }
    append(buildStreamId(pkg, { commitHash, distroHash, extendedHash: null }), payloads, at + 40);
    if (roll < 0.85) {
      const move: CurrentMoved['data'] = { buildId, repoDir, previousRepoDir: null, component: null };
      append(pointerStreamId('current'), [{ type: 'CurrentMoved', data: move }], at + 41);
    }
  }

  // CI votes: CiVoteReported, a claim before some of them, on successful builds.
  let votes = 0;
  let voted = successes[0]!;
  for (let v = 0; votes < size.votes; v++) {
    const repo = successes[Math.floor((v * 7919) % successes.length)]!;
    const base: RepoClaimed['data'] = {
      commitHash: repo.commitHash,
      distroHash,
      extendedHash: null,
      component: repo.component,
      jobId: `periodic-job-${v % JOBS}`,
      url: `https://ci.example.org/job/${v}`,
      notes: '',
      timestamp: repo.at + 600 + (v % 50),
      user: 'ci',
    };
    const payloads: EventPayload[] = [];
    if (v % 4 === 0) payloads.push({ type: 'RepoClaimed', data: { ...base, timestamp: base.timestamp - 300 } });
    const report: CiVoteReported['data'] = { ...base, success: rand() < 0.8 };
    payloads.push({ type: 'CiVoteReported', data: report });
    append(voteStreamId(repo.commitHash, distroHash, null), payloads, base.timestamp, 'user:ci');
    votes += payloads.length;
    voted = repo;
  }

  // Promotions: every other one of a component, with the aggregate hash of its .repo.
  const aggregateHashes: string[] = [];
  for (let p = 0; p < size.promotions; p++) {
    const repo = successes[Math.floor(((p + 1) * successes.length) / (size.promotions + 1))]!;
    const name = PROMOTION_NAMES[p % PROMOTION_NAMES.length]!;
    const component = p % 2 === 0 ? repo.component : null;
    const aggregateHash = component === null ? null : hex(0xa99000 + p, 32);
    if (aggregateHash !== null) aggregateHashes.push(aggregateHash);
    const promoted: RepoPromoted['data'] = {
      promotionName: name,
      commitHash: repo.commitHash,
      distroHash,
      extendedHash: null,
      component,
      repoDir: repo.repoDir,
      previousRepoDir: null,
      timestamp: repo.at + 3600,
      user: 'ci',
      aggregateHash,
    };
    append(promotionStreamId(name, component), [{ type: 'RepoPromoted', data: promoted }], repo.at + 3600, 'user:ci');
  }
  for (let a = 0; a < size.aggregateVotes; a++) {
    const aggregateHash = aggregateHashes[a % aggregateHashes.length]!;
    const vote: AggregateVoteReported['data'] = {
      aggregateHash,
      jobId: `periodic-job-${a % JOBS}`,
      url: `https://ci.example.org/agg/${a}`,
      notes: '',
      timestamp: now - DAY + a,
      user: 'ci',
      success: rand() < 0.7,
      inProgress: false,
    };
    append(aggregateVoteStreamId(aggregateHash), [{ type: 'AggregateVoteReported', data: vote }], vote.timestamp);
  }

  const views = await openSqliteReadModelStore(viewsFile);
  const engine = new ProjectionEngine(store, views, ALL_PROJECTIONS, { batchSize: 5000, owner: 'bench-seed' });
  await engine.start();
  await engine.run({ untilCaughtUp: true });
  await engine.stop();
  await views.close();
  await store.close();

  const configFile = join(dir, 'projects.ini');
  copyFileSync('test/fixtures/config/seed-flock2017/projects.ini', configFile);
  appendFileSync(
    configFile,
    `\n[service]\nevent_store=sqlite:///${eventsFile}\nread_model_store=sqlite:///${viewsFile}\n`,
  );
  return {
    configFile,
    events: written,
    votedRepo: { commitHash: voted.commitHash, distroHash },
    jobId: `periodic-job-3`,
    aggregateHash: aggregateHashes[0] ?? hex(0, 32),
    startDate: day(start - DAY),
    endDate: day(now + DAY),
  };
}
