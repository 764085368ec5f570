import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CiVoteCommand } from '#domain/ci-vote/ci-vote.decider.js';
import { IdGenerator } from '#domain/shared/ports.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { apiContext, type Recorded } from '#application/shared/recorded.js';
import { recordVote } from './record-vote.js';
import { VoteRefusedError } from './vote.errors.js';

/** A CI job's verdict, as `POST /api/report_result` takes it. */
export interface VerdictReport {
  readonly jobId: string;
  readonly url: string;
  readonly notes: string;
  /** Epoch seconds, the client's. */
  readonly timestamp: number;
  readonly success: boolean;
  /** On a commit's repo, or (`aggregateHash` set) on an aggregated repo. */
  readonly commitHash: string | null;
  readonly distroHash: string | null;
  readonly extendedHash: string | null;
  readonly aggregateHash: string | null;
}

/** The repo the verdict was recorded on: the commit's own hashes; none for an aggregate. */
export interface VotedOn {
  readonly extendedHash: string | null;
  readonly component: string | null;
}

/** `POST /api/report_result`: a verdict on a commit's repo or on an aggregate hash. */
export class ReportResultCommand extends Command<Recorded<VotedOn>> {
  constructor(
    readonly report: VerdictReport,
    readonly user: string | null,
  ) {
    super();
  }
}

@CommandHandler(ReportResultCommand)
export class ReportResultHandler implements ICommandHandler<ReportResultCommand, Recorded<VotedOn>> {
  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(DeciderCommandHandler) private readonly commands: DeciderCommandHandler,
    @Inject(IdGenerator) private readonly ids: IdGenerator,
  ) {}

  async execute({ report, user }: ReportResultCommand): Promise<Recorded<VotedOn>> {
    const { jobId, url, notes, timestamp, success } = report;
    const verdict = { jobId, url, notes, timestamp, user, success };
    let command: CiVoteCommand;
    let votedOn: VotedOn;
    if (report.aggregateHash) {
      if (!(await this.queries.aggregateHashKnown(report.aggregateHash))) {
        throw new VoteRefusedError('AGGREGATE_HASH_NOT_FOUND');
      }
      command = { type: 'ReportAggregateVote', data: { aggregateHash: report.aggregateHash, ...verdict } };
      votedOn = { extendedHash: null, component: null };
    } else {
      // The input's rules guarantee both hashes when there is no aggregate hash.
      // Stryker disable StringLiteral: the '' fallbacks are unreachable (see above).
      const commit = await this.queries.successfulCommit(
        report.commitHash ?? '',
        report.distroHash ?? '',
        report.extendedHash,
      );
      // Stryker restore StringLiteral
      if (commit === null) throw new VoteRefusedError('COMMIT_NOT_FOUND');
      const { commitHash, distroHash, extendedHash, component } = commit;
      command = { type: 'ReportVote', data: { commitHash, distroHash, extendedHash, component, ...verdict } };
      votedOn = { extendedHash, component };
    }
    const position = await recordVote(this.commands, command, apiContext(this.ids, user));
    return { recorded: votedOn, position };
  }
}
