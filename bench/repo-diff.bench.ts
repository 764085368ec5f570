/**
 * `GET /api/diff`'s query (RepoDiffHandler over the SQLite log and views) on a synthetic history
 * where every success publishes a full snapshot of the package set (as RepoPublished does): the
 * diff between the oldest and newest repositories (almost every package changed: one upstream
 * URL lookup each), between two adjacent ones (one package changed), and between `consistent`
 * and `current` by name, next to `GET /api/repos/{ref}`'s query on the same repository (the
 * nearest existing read). Medians of 15 runs; asserts nothing.
 *   node --conditions=source --import @swc-node/register/esm-register bench/repo-diff.bench.ts [--packages 500] [--builds 2000]
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { schemaVersionOf } from '#domain/catalogue.js';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import { pointerStreamId } from '#domain/repo/repo.events.js';
import { shardedRepoDir } from '#domain/repo/repo-path.js';
import type { DomainEvent, EventPayload } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { RepoDiffHandler, RepoDiffQuery, type DiffSide } from '#application/queries/diff/repo-diff.query.js';
import { ResourceQueries } from '#application/queries/resource-queries.js';
import { RepoHandler, RepoQuery } from '#application/queries/resources/repo.query.js';

const { values } = parseArgs({
  options: { packages: { type: 'string', default: '500' }, builds: { type: 'string', default: '2000' } },
});
const PACKAGES = Number(values.packages);
const BUILDS = Number(values.builds);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const distroHash = 'ab'.repeat(20);

const dir = mkdtempSync(join(tmpdir(), 'dlrn-diff-bench-'));
try {
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  let ids = 0;
  const stamp = (payloads: readonly EventPayload[], at: number): DomainEvent[] =>
    payloads.map((payload) => ({
      type: payload.type,
      data: payload.data,
      metadata: {
        schemaVersion: schemaVersionOf(payload.type),
        eventId: `01900000-0000-7000-8000-${hex(++ids, 12)}`,
        occurredAt: new Date(at * 1000).toISOString(),
        correlationId: `seed-${ids}`,
        causationId: null,
        actor: 'builder:bench',
      },
    }));

  const seeding = performance.now();
  const current = Array.from({ length: PACKAGES }, (_, p) => ({
    name: `package-${p}`,
    commitHash: hex(0, 40),
    distroHash,
    status: 'SUCCESS',
    nvr: `package-${p}-1.0-0`,
  }));
  const repos: { hash: string; repoDir: string; buildId: string }[] = [];
  const start = 1_700_000_000;
  for (let b = 0; b < BUILDS; b++) {
    const p = b % PACKAGES;
    const pkg = `package-${p}`;
    const commitHash = hex(b + 1, 40);
    const buildId = `01800000-0000-7000-8000-${hex(b + 1, 12)}`;
    const repoDir = shardedRepoDir({ commitHash, distroHash, extendedHash: null });
    const at = start + b * 60;
    current[p] = { name: pkg, commitHash, distroHash, status: 'SUCCESS', nvr: `${pkg}-1.${b}-0` };
    store.appendSync(
      `build-${pkg}@${commitHash}_${distroHash}`,
      stamp(
        [
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
              component: null,
              upstreamUrl: `https://github.com/openstack/${pkg}`,
              distgitUrl: null,
              versionsCsv: null,
              purpose: { kind: 'commit' },
            },
          },
          {
            type: 'BuildClaimed',
            data: { buildId, attempt: 1, builderId: 'b1', leaseExpiresAt: '2099-01-01T00:00:00Z' },
          },
          { type: 'BuildStarted', data: { buildId, dtBuild: at, workerId: 1, driver: 'rpmbuild' } },
          {
            type: 'BuildSucceeded',
            data: { buildId, artifacts: [], nvr: current[p].nvr, repoDir, notes: 'OK' },
          },
          {
            type: 'RepoPublished',
            data: {
              buildId,
              package: pkg,
              commitHash,
              distroHash,
              extendedHash: null,
              component: null,
              repoDir,
              failures: 0,
              packages: current.map((c) => ({ ...c })),
              withRepodata: true,
            },
          },
        ],
        at,
      ),
    );
    repos.push({ hash: `${commitHash}_${distroHash.slice(0, 8)}`, repoDir, buildId });
  }
  const move = (pointer: 'current' | 'consistent', repo: (typeof repos)[number]) =>
    store.appendSync(
      pointerStreamId(pointer),
      stamp(
        [
          {
            type: pointer === 'current' ? 'CurrentMoved' : 'ConsistentMoved',
            data: { buildId: repo.buildId, repoDir: repo.repoDir, previousRepoDir: null, component: null },
          },
        ],
        start + BUILDS * 60,
      ),
    );
  move('consistent', repos[0]!);
  move('current', repos.at(-1)!);
  const head = await store.headPosition();
  const views = await openSqliteReadModelStore(join(dir, 'views.sqlite'));
  const engine = new ProjectionEngine(store, views, ALL_PROJECTIONS, { batchSize: 5000, owner: 'bench' });
  await engine.start();
  await engine.run({ untilCaughtUp: true });
  await engine.stop();
  console.log(
    `log: ${head} events, ${BUILDS} repositories of ${PACKAGES} packages each (seeded and projected in ${((performance.now() - seeding) / 1000).toFixed(1)} s)`,
  );

  const queries = new ResourceQueries(views, join(dir, 'repos'));
  const diff = new RepoDiffHandler(queries, store, views);
  const repo = new RepoHandler(queries);
  const median = async (work: () => Promise<unknown>): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const at = performance.now();
      await work();
      times.push(performance.now() - at);
    }
    return times.sort((a, b) => a - b)[7]!;
  };
  const side = (ref: string): DiffSide => ({ ref, at: null, asOf: null });
  const baseline = await median(() => repo.execute(new RepoQuery(repos.at(-1)!.hash)));
  const row = async (label: string, from: string, to: string) => {
    let changed = 0;
    const ms = await median(async () => {
      const answer = await diff.execute(new RepoDiffQuery(side(from), side(to)));
      if ('refusal' in answer) throw new Error(`${label}: ${answer.refusal}`);
      changed = answer.changed.length;
    });
    console.log(
      `${label.padEnd(44)} ${String(changed).padStart(5)} changed  ${ms.toFixed(2).padStart(8)} ms   /api/repos/{ref} ${baseline.toFixed(2)} ms   ×${(ms / baseline).toFixed(1)}`,
    );
  };
  console.log('median of 15:');
  await row('oldest → newest repository (by hash)', repos[0]!.hash, repos.at(-1)!.hash);
  await row('two adjacent repositories (by hash)', repos.at(-2)!.hash, repos.at(-1)!.hash);
  await row('consistent → current (by name)', 'consistent', 'current');
  await views.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
