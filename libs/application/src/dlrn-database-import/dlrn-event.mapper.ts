import { v5 as uuidv5 } from 'uuid';
import type {
  BuildClaimed,
  BuildFailed,
  BuildPurged,
  BuildRetryScheduled,
  BuildStarted,
  BuildSucceeded,
  CommitDiscovered,
} from '#domain/build/build.events.js';
import { buildStreamId, commitRef, packageName, packageStreamId, type CommitRef } from '#domain/build/commit-ref.js';
import { nvrOfArtifacts } from '#domain/build/nvr.js';
import { findTransientError } from '#domain/build/transient-errors.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import {
  aggregateVoteStreamId,
  voteStreamId,
  type AggregateVoteReported,
  type CiVoteReported,
  type RepoClaimed,
} from '#domain/ci-vote/ci-vote.events.js';
import type { FailureNotified } from '#domain/package/package.events.js';
import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { promotionStreamId, type RepoPromoted } from '#domain/promotion/promotion.events.js';
import { FLAG_PURGED } from '#domain/projections/builds.projection.js';
import { shardedRepoDir } from '#domain/repo/repo-path.js';
import { DomainError } from '#domain/shared/errors.js';
import { assertValidStreamId } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventPayload } from '#domain/shared/event.js';
import { checkUsername } from '#domain/user/user.decider.js';
import { userStreamId, type UserCreated } from '#domain/user/user.events.js';
import type {
  DlrnAggregateVoteRow,
  DlrnCiVoteRow,
  DlrnCommitRow,
  DlrnJoinedCommit,
  DlrnProjectRow,
  DlrnPromotionRow,
  DlrnRow,
  DlrnUserRow,
} from '#infrastructure/dlrn-database/dlrn-rows.js';

/** Namespace of every id the import derives (UUIDv5): fixed forever, or re-imports duplicate. */
export const IMPORT_NAMESPACE = '7d1f3c52-5a0e-4c5e-9a57-0f2b8d6e4a91';

export const IMPORT_ACTOR = 'import-db';
export const IMPORT_TRIGGER = 'import';

/** Events for one stream, appended atomically: everything one DLRN row stood for. */
export interface ImportBatch {
  readonly streamId: string;
  readonly events: readonly DomainEvent[];
}

/** A row that cannot become events (a hash with a space, an unknown status…); it is skipped. */
export class ImportRowError extends Error {
  constructor(
    readonly table: string,
    readonly rowId: string | number,
    reason: string,
  ) {
    super(`${table} row ${String(rowId)}: ${reason}`);
    this.name = 'ImportRowError';
  }
}

export interface MapperOptions {
  /** Identifies the source database (see `sourceIdOf`); part of every derived id. */
  readonly sourceId: string;
  /** Build driver recorded on BuildStarted (DLRN does not store it: the configured one). */
  readonly buildDriver: string;
  /** `maxretries` recorded on BuildRetryScheduled. */
  readonly maxRetries: number;
  /** occurredAt of rows without a time of their own (users). */
  readonly now: Date;
}

/** A stable id for a database: its oldest commit row, which DLRN never changes. */
export function sourceIdOf(firstCommit: DlrnCommitRow | null): string {
  if (firstCommit === null) return uuidv5('empty', IMPORT_NAMESPACE);
  const { id, project_name, commit_hash, distro_hash, dt_commit } = firstCommit;
  return uuidv5(JSON.stringify([id, project_name, commit_hash, distro_hash, dt_commit]), IMPORT_NAMESPACE);
}

const none = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value === '' || value === 'None' ? null : value;

/**
 * Turns DLRN rows into the events this service would have recorded for them, one row at a time
 * and in the order given (commits by id, votes and promotions by id). Pure but for the state it
 * keeps between rows (attempts per build stream, the previous promotion of each name, a
 * package's last failure); every id is derived from the source, table, row and event index, so
 * mapping the same database twice gives the same events.
 */
export class DlrnEventMapper {
  private readonly builds = new Map<string, { attempts: number; retries: number }>();
  private readonly promoted = new Map<string, string>();
  private readonly lastFailure = new Map<string, string>();
  private readonly skippedCommits = new Set<number>();

  constructor(private readonly options: MapperOptions) {}

  /** The batches of one row (none for a project that was never mailed). Throws ImportRowError. */
  map(entry: DlrnRow): ImportBatch[] {
    switch (entry.table) {
      case 'users':
        return [this.user(entry.row)];
      case 'commits':
        return [this.commit(entry.row)];
      case 'projects':
        return this.project(entry.row);
      case 'civotes':
        return [this.civote(entry.row)];
      case 'civotes_agg':
        return [this.aggregateVote(entry.row)];
      case 'promotions':
        return [this.promotion(entry.row)];
    }
  }

  /** The build id given to the attempt of a commits row. */
  buildIdOf(commitId: number): string {
    return uuidv5(`${this.options.sourceId}/commits/${commitId}/build`, IMPORT_NAMESPACE);
  }

  private commit(row: DlrnCommitRow): ImportBatch {
    let ref: CommitRef;
    let pkg: string;
    try {
      pkg = packageName(row.project_name);
      ref = commitRef(row.commit_hash, row.distro_hash, none(row.extended_hash));
      if (!['SUCCESS', 'FAILED', 'RETRY'].includes(row.status)) {
        throw new DomainError('UNKNOWN_STATUS', `unknown status ${JSON.stringify(row.status)}`);
      }
    } catch (error) {
      this.skippedCommits.add(row.id);
      throw rowError('commits', row.id, error);
    }
    const streamId = buildStreamId(pkg, ref);
    const component = none(row.component);
    const repoDir = shardedRepoDir({ ...ref, component });
    const buildId = this.buildIdOf(row.id);
    const dtCommit = Number(row.dt_commit ?? 0);
    const dtBuild = Math.trunc(Number(row.dt_build ?? dtCommit));
    const stream = this.builds.get(streamId) ?? { attempts: 0, retries: 0 };
    const payloads: EventPayload[] = [];
    if (stream.attempts === 0) {
      const discovered: CommitDiscovered['data'] = {
        package: pkg,
        // DLRN's rows name the package only; its short project name lives in the metadata.
        project: pkg,
        type: row.type === 'container' ? 'container' : 'rpm',
        ...ref,
        dtCommit,
        dtDistro: Number(row.dt_distro ?? 0),
        dtExtended: row.dt_extended === null ? null : Number(row.dt_extended),
        commitBranch: row.commit_branch ?? '',
        component,
        upstreamUrl: null,
        distgitUrl: null,
        versionsCsv: none(row.versions_csv),
        purpose: { kind: 'commit' },
      };
      payloads.push({ type: 'CommitDiscovered', data: discovered });
    }
    stream.attempts += 1;
    const claimed: BuildClaimed['data'] = {
      buildId,
      attempt: stream.attempts,
      builderId: IMPORT_ACTOR,
      // Expired from the start: nobody is building it.
      leaseExpiresAt: isoOf(dtBuild, this.options.now),
    };
    const started: BuildStarted['data'] = { buildId, dtBuild, workerId: 0, driver: this.options.buildDriver };
    payloads.push({ type: 'BuildClaimed', data: claimed }, { type: 'BuildStarted', data: started });
    const notes = row.notes ?? '';
    if (row.status === 'SUCCESS') {
      const artifacts = (row.artifacts ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a.length > 0);
      const data: BuildSucceeded['data'] = {
        buildId,
        artifacts,
        nvr: nvrOfArtifacts(artifacts),
        repoDir,
        notes: row.notes ?? 'OK',
      };
      payloads.push({ type: 'BuildSucceeded', data });
    } else if (row.status === 'FAILED') {
      const data: BuildFailed['data'] = { buildId, repoDir, notes };
      payloads.push({ type: 'BuildFailed', data });
      this.lastFailure.set(pkg, buildId);
    } else {
      stream.retries += 1;
      const data: BuildRetryScheduled['data'] = {
        buildId,
        repoDir,
        notes,
        matchedError: findTransientError(notes) ?? '',
        retries: stream.retries,
        maxRetries: this.options.maxRetries,
      };
      payloads.push({ type: 'BuildRetryScheduled', data });
    }
    if ((Number(row.flags ?? 0) & FLAG_PURGED) !== 0) {
      const data: BuildPurged['data'] = { buildId, repoDir, directoryRemoved: true };
      payloads.push({ type: 'BuildPurged', data });
    }
    this.builds.set(streamId, stream);
    return this.batch('commits', row.id, streamId, payloads, dtBuild);
  }

  private joined(table: string, row: { id: number; commit_id: number; commit: DlrnJoinedCommit | null }): CommitRef {
    if (row.commit === null) throw new ImportRowError(table, row.id, `commit_id ${row.commit_id} names no commit`);
    if (this.skippedCommits.has(row.commit_id)) {
      throw new ImportRowError(table, row.id, `its commit (id ${row.commit_id}) was skipped`);
    }
    try {
      return commitRef(row.commit.commit_hash, row.commit.distro_hash, none(row.commit.extended_hash));
    } catch (error) {
      throw rowError(table, row.id, error);
    }
  }

  private civote(row: DlrnCiVoteRow): ImportBatch {
    const ref = this.joined('civotes', row);
    const timestamp = Math.trunc(Number(row.timestamp ?? 0));
    const vote = {
      ...ref,
      component: none(row.component),
      jobId: row.ci_name,
      url: row.ci_url ?? '',
      notes: row.notes ?? '',
      timestamp,
      user: row.user ?? null,
    };
    const payload: EventPayload<CiVoteReported | RepoClaimed> = row.ci_in_progress
      ? { type: 'RepoClaimed', data: vote }
      : { type: 'CiVoteReported', data: { ...vote, success: Boolean(row.ci_vote) } };
    const streamId = voteStreamId(ref.commitHash, ref.distroHash, ref.extendedHash);
    return this.batch('civotes', row.id, streamId, [payload], timestamp);
  }

  private aggregateVote(row: DlrnAggregateVoteRow): ImportBatch {
    const timestamp = Math.trunc(Number(row.timestamp ?? 0));
    const data: AggregateVoteReported['data'] = {
      aggregateHash: row.ref_hash,
      jobId: row.ci_name,
      url: row.ci_url ?? '',
      notes: row.notes ?? '',
      timestamp,
      user: row.user ?? null,
      success: Boolean(row.ci_vote),
      inProgress: Boolean(row.ci_in_progress),
    };
    const payload: EventPayload<AggregateVoteReported> = { type: 'AggregateVoteReported', data };
    return this.batch('civotes_agg', row.id, aggregateVoteStreamId(row.ref_hash), [payload], timestamp);
  }

  private promotion(row: DlrnPromotionRow): ImportBatch {
    const ref = this.joined('promotions', row);
    if (promotionNameProblem(row.promotion_name) === 'path') {
      throw new ImportRowError('promotions', row.id, `promotion name ${JSON.stringify(row.promotion_name)}`);
    }
    const component = none(row.component);
    const streamId = promotionStreamId(row.promotion_name, component);
    // The promoted repository is the commit's own hashed directory (its component's).
    const repoDir = shardedRepoDir({ ...ref, component: none(row.commit!.component) });
    const timestamp = Math.trunc(Number(row.timestamp ?? 0));
    const data: RepoPromoted['data'] = {
      promotionName: row.promotion_name,
      ...ref,
      component,
      repoDir,
      previousRepoDir: this.promoted.get(streamId) ?? null,
      timestamp,
      user: row.user ?? null,
      aggregateHash: none(row.aggregate_hash),
    };
    const batch = this.batch('promotions', row.id, streamId, [{ type: 'RepoPromoted', data }], timestamp);
    this.promoted.set(streamId, repoDir);
    return batch;
  }

  private user(row: DlrnUserRow): ImportBatch {
    let username: string;
    try {
      username = checkUsername(row.username);
    } catch (error) {
      throw rowError('users', row.username, error);
    }
    // passlib's sha512_crypt hash, kept as is: the API verifies `$6$` hashes.
    const data: UserCreated['data'] = { username, passwordHash: row.password };
    return this.batch('users', username, userStreamId(username), [{ type: 'UserCreated', data }], null);
  }

  /** `projects.last_email` → the FailureNotified that would have set it; nothing if never mailed. */
  private project(row: DlrnProjectRow): ImportBatch[] {
    const sentAt = Math.trunc(Number(row.last_email ?? 0));
    if (sentAt <= 0) return [];
    let pkg: string;
    try {
      pkg = packageName(row.project_name);
    } catch (error) {
      throw rowError('projects', row.id, error);
    }
    const data: FailureNotified['data'] = {
      package: pkg,
      // DLRN keeps neither the build nor the mail: the last failure seen, no recipients.
      buildId: this.lastFailure.get(pkg) ?? '',
      recipients: [],
      subject: '',
      sentAt,
    };
    return [this.batch('projects', row.id, packageStreamId(pkg), [{ type: 'FailureNotified', data }], sentAt)];
  }

  private batch(
    table: string,
    rowId: string | number,
    streamId: string,
    payloads: readonly EventPayload[],
    epochSeconds: number | null,
  ): ImportBatch {
    try {
      assertValidStreamId(streamId);
    } catch (error) {
      throw rowError(table, rowId, error);
    }
    const key = `${this.options.sourceId}/${table}/${String(rowId)}`;
    const occurredAt = epochSeconds === null ? this.options.now.toISOString() : isoOf(epochSeconds, this.options.now);
    const correlationId = uuidv5(key, IMPORT_NAMESPACE);
    const events = payloads.map((payload, index): DomainEvent => ({
      type: payload.type,
      data: payload.data,
      metadata: {
        schemaVersion: schemaVersionOf(payload.type),
        eventId: uuidv5(`${key}/${index}`, IMPORT_NAMESPACE),
        occurredAt,
        correlationId,
        causationId: null,
        actor: IMPORT_ACTOR,
        trigger: IMPORT_TRIGGER,
      },
    }));
    return { streamId, events };
  }
}

function isoOf(epochSeconds: number, fallback: Date): string {
  const date = new Date(epochSeconds * 1000);
  return Number.isNaN(date.getTime()) ? fallback.toISOString() : date.toISOString();
}

function rowError(table: string, rowId: string | number, error: unknown): ImportRowError {
  if (error instanceof ImportRowError) return error;
  return new ImportRowError(table, rowId, error instanceof Error ? error.message : String(error));
}
