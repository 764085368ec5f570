import type { DomainEvent } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';

/**
 * Writes a realistic log quickly (no deciders): `builds` build streams over `packages`
 * packages — discovery, claim, start, a result (70% SUCCESS with its RepoPublished, 20% FAILED,
 * 10% RETRY), pointer moves, CI votes on some successes, a promotion now and then. About 6.5
 * events per build. Returns the number of events written.
 */
export function writeSyntheticLog(
  file: string,
  options: { readonly builds: number; readonly packages?: number },
): number {
  const store = new SqliteEventStore(file);
  const packages = options.packages ?? 50;
  let n = 0;
  const id = () => {
    n += 1;
    return `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
  };
  const event = (type: string, data: object, at: number): DomainEvent => ({
    type,
    data,
    metadata: {
      schemaVersion: 1,
      eventId: id(),
      occurredAt: new Date(at * 1000).toISOString(),
      correlationId: 'synthetic',
      causationId: null,
      actor: 'builder:synthetic',
    },
  });
  let written = 0;
  let pending: { stream: string; events: DomainEvent[] }[] = [];
  const flush = () => {
    for (const batch of pending) store.appendSync(batch.stream, batch.events);
    pending = [];
  };
  for (let b = 0; b < options.builds; b++) {
    const pkg = `package-${b % packages}`;
    const commitHash = (b + 1).toString(16).padStart(40, '0');
    const distroHash = 'ab'.repeat(20);
    const at = 1_700_000_000 + b * 60;
    const buildId = id();
    const repoDir = `${commitHash.slice(0, 2)}/${commitHash.slice(2, 4)}/${commitHash}_abababab`;
    const roll = b % 10;
    const events = [
      event(
        'CommitDiscovered',
        {
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
          upstreamUrl: `https://git.example.org/${pkg}`,
          distgitUrl: `https://git.example.org/${pkg}-distgit`,
          versionsCsv: null,
        },
        at,
      ),
      event(
        'BuildClaimed',
        { buildId, attempt: 1, builderId: 'builder-1', leaseExpiresAt: new Date((at + 21_600) * 1000).toISOString() },
        at,
      ),
      event('BuildStarted', { buildId, dtBuild: at, workerId: 1, driver: 'rpmbuild' }, at),
    ];
    if (roll < 7) {
      events.push(
        event(
          'BuildSucceeded',
          {
            buildId,
            artifacts: [`repos/${repoDir}/${pkg}-1.0-0.1.src.rpm`, `repos/${repoDir}/${pkg}-1.0-0.1.noarch.rpm`],
            nvr: `${pkg}-1.0-0.1`,
            repoDir,
            notes: 'OK',
          },
          at + 40,
        ),
      );
      events.push(
        event(
          'RepoPublished',
          {
            buildId,
            package: pkg,
            commitHash,
            distroHash,
            extendedHash: null,
            component: null,
            repoDir,
            failures: roll === 0 ? 0 : 1,
            packages: [],
            withRepodata: true,
          },
          at + 40,
        ),
      );
    } else if (roll < 9) {
      events.push(
        event(
          'BuildFailed',
          { buildId, repoDir, notes: `Error in build_rpm_wrapper for ${pkg}: rpmbuild exited with code 1` },
          at + 40,
        ),
      );
    } else {
      events.push(
        event(
          'BuildRetryScheduled',
          { buildId, repoDir, notes: 'mirror', matchedError: 'No more mirrors to try', retries: 1, maxRetries: 3 },
          at + 40,
        ),
      );
    }
    pending.push({ stream: `build-${pkg}@${commitHash}_${distroHash}`, events });
    written += events.length;
    if (roll < 7) {
      pending.push({
        stream: 'pointer-current',
        events: [event('CurrentMoved', { buildId, repoDir, previousRepoDir: null, component: null }, at + 41)],
      });
      written += 1;
    }
    if (roll === 1) {
      const vote = {
        commitHash,
        distroHash,
        extendedHash: null,
        component: null,
        jobId: `job-${b % 7}`,
        url: 'https://ci.example.org/1',
        notes: '',
        timestamp: at + 100,
        user: 'ci',
      };
      pending.push({
        stream: `civote-${commitHash}_${distroHash}`,
        events: [
          event('RepoClaimed', vote, at + 90),
          event('CiVoteReported', { ...vote, success: b % 3 !== 0 }, at + 100),
        ],
      });
      written += 2;
    }
    if (b % 97 === 1) {
      pending.push({
        stream: 'promotion-current-passed-ci',
        events: [
          event(
            'RepoPromoted',
            {
              promotionName: 'current-passed-ci',
              commitHash,
              distroHash,
              extendedHash: null,
              component: null,
              repoDir,
              previousRepoDir: null,
              timestamp: at + 200,
              user: 'ci',
              aggregateHash: null,
            },
            at + 200,
          ),
        ],
      });
      written += 1;
    }
    if (pending.length >= 500) flush();
  }
  flush();
  void store.close();
  return written;
}
