import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ClaimRepo } from '#domain/ci-vote/ci-vote.decider.js';
import type { RepoClaimed } from '#domain/ci-vote/ci-vote.events.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { lastTestedRepo, voteCutoff, type VoteSelection } from './last-tested-repo.query.js';
import { recordVote } from './record-vote.js';
import { apiContext, epochSeconds, type Recorded } from '#application/shared/recorded.js';

/** `POST /api/last_tested_repo`: the repo `last_tested_repo` picks, claimed by the caller's job. */
export class ClaimRepoCommand extends Command<Recorded<RepoClaimed['data']>> {
  constructor(
    readonly selection: VoteSelection,
    readonly maxAgeHours: number,
    /** The job taking the repo (`reporting_job_id`). */
    readonly jobId: string,
    readonly user: string | null,
  ) {
    super();
  }
}

@CommandHandler(ClaimRepoCommand)
export class ClaimRepoHandler implements ICommandHandler<ClaimRepoCommand, Recorded<RepoClaimed['data']>> {
  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(DeciderCommandHandler) private readonly commands: DeciderCommandHandler,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IdGenerator) private readonly ids: IdGenerator,
  ) {}

  async execute({ selection, maxAgeHours, jobId, user }: ClaimRepoCommand): Promise<Recorded<RepoClaimed['data']>> {
    const now = epochSeconds(this.clock);
    const found = await lastTestedRepo(this.queries, selection, voteCutoff(maxAgeHours, now));
    const command: ClaimRepo = {
      type: 'ClaimRepo',
      data: {
        commitHash: found.commitHash,
        distroHash: found.distroHash,
        extendedHash: found.extendedHash,
        component: found.component,
        jobId,
        url: '',
        notes: '',
        timestamp: now,
        user,
      },
    };
    const position = await recordVote(this.commands, command, apiContext(this.ids, user));
    return { recorded: command.data, position };
  }
}
