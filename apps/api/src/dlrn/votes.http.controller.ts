import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBodyInput, ApiQueryInput } from '../http/api-input.js';
import { Clock } from '#domain/shared/ports.js';
import { epochSeconds } from '#application/shared/recorded.js';
import { AggStatusQuery } from '#application/votes/agg-status.query.js';
import { ClaimRepoCommand } from '#application/votes/claim-repo.handler.js';
import { LastTestedRepoQuery, voteCutoff, type VoteSelection } from '#application/votes/last-tested-repo.query.js';
import { RepoStatusQuery } from '#application/votes/repo-status.query.js';
import { ReportResultCommand } from '#application/votes/report-result.handler.js';
import { callerOf, readInput } from '../http/request-input.js';
import { markWritten } from '../http/log-position.js';
import { ViewVersion } from '../views/view-version.js';
import { ApiAsOf, TimeTravel, secondsOf } from '../views/as-of.js';
import {
  AGG_STATUS,
  LAST_TESTED_REPO,
  LAST_TESTED_REPO_POST,
  REPORT_RESULT,
  REPO_STATUS,
  type LastTestedRepoInput,
} from './dlrn-inputs.js';
import { answering } from './dlrn-refusals.js';
import { aggStatusItem, repoStatusItem, voteAnswer, type VoteAnswer } from './dlrn-responses.js';
import {
  AGG_STATUS_ITEM_SCHEMA,
  ERROR_SCHEMA,
  REPORT_RESULT_SCHEMA,
  REPO_STATUS_ITEM_SCHEMA,
  VOTE_SCHEMA,
} from './openapi-examples.js';

const badRequest = { description: 'Invalid input, or nothing matches', schema: ERROR_SCHEMA };
const notJson = { description: 'Content-Type is not exactly application/json', schema: ERROR_SCHEMA };

/** CI votes: which repo to test next, claims, verdicts, and the votes on a repo. */
@ApiTags('votes')
@Controller('api')
export class VotesHttpController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(TimeTravel) private readonly timeTravel: TimeTravel,
  ) {}

  @Get('last_tested_repo')
  @ApiOperation({ summary: 'The repo last tested by a CI job (DLRN getVote rules)' })
  @ApiQueryInput(LAST_TESTED_REPO)
  @ApiOkResponse({ description: 'The newest matching vote', schema: VOTE_SCHEMA })
  @ApiBadRequestResponse(badRequest)
  @ApiAsOf()
  async lastTestedRepo(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, LAST_TESTED_REPO);
    const at = await this.timeTravel.of(request, reply);
    // As of a past moment, max_age counts back from it.
    const after = voteCutoff(input.max_age, at === null ? epochSeconds(this.clock) : secondsOf(at));
    // JSON, not a joined string: free-text fields holding ':' or the text 'null' must not collide.
    const key = `ltr:${JSON.stringify([after, input.success, input.job_id, input.sequential_mode, input.previous_job_id, input.component])}`;
    const compute = async () =>
      voteAnswer(
        await answering(this.queries.execute(new LastTestedRepoQuery(selectionOf(input), after, at?.position ?? null))),
      );
    return at === null ? this.views.cached(key, compute) : this.timeTravel.cached(at, key, compute);
  }

  @Post('last_tested_repo')
  @HttpCode(201)
  @ApiBasicAuth()
  @ApiOperation({ summary: 'Claim the repo last tested by a CI job: records an in-progress vote by reporting_job_id' })
  @ApiBodyInput(LAST_TESTED_REPO_POST)
  @ApiCreatedResponse({ description: 'The new in-progress vote', schema: VOTE_SCHEMA })
  @ApiBadRequestResponse(badRequest)
  @ApiUnsupportedMediaTypeResponse(notJson)
  async claim(@Req() request: FastifyRequest) {
    const input = readInput(request, LAST_TESTED_REPO_POST, true);
    const user = callerOf(request);
    const command = new ClaimRepoCommand(selectionOf(input), input.max_age, input.reporting_job_id, user);
    const { recorded, position } = await answering(this.commands.execute(command));
    markWritten(request, position);
    await this.views.waitFor(position);
    const answer: VoteAnswer = {
      commit_hash: recorded.commitHash,
      distro_hash: recorded.distroHash,
      extended_hash: recorded.extendedHash,
      timestamp: recorded.timestamp,
      job_id: recorded.jobId,
      success: false,
      in_progress: true,
      user,
      component: recorded.component,
    };
    return answer;
  }

  @Post('report_result')
  @HttpCode(201)
  @ApiBasicAuth()
  @ApiOperation({ summary: 'Report a CI verdict on a repo (commit_hash+distro_hash) or an aggregate hash' })
  @ApiBodyInput(REPORT_RESULT)
  @ApiCreatedResponse({ description: 'The recorded vote', schema: REPORT_RESULT_SCHEMA })
  @ApiBadRequestResponse(badRequest)
  @ApiUnsupportedMediaTypeResponse(notJson)
  async reportResult(@Req() request: FastifyRequest) {
    const input = readInput(request, REPORT_RESULT, true);
    const user = callerOf(request);
    const notes = input.notes ?? '';
    const report = {
      jobId: input.job_id,
      url: input.url,
      notes,
      timestamp: input.timestamp,
      success: input.success,
      commitHash: input.commit_hash,
      distroHash: input.distro_hash,
      extendedHash: input.extended_hash,
      aggregateHash: input.aggregate_hash,
    };
    const { recorded, position } = await answering(this.commands.execute(new ReportResultCommand(report, user)));
    markWritten(request, position);
    await this.views.waitFor(position);
    return {
      commit_hash: input.commit_hash,
      distro_hash: input.distro_hash,
      extended_hash: recorded.extendedHash,
      aggregate_hash: input.aggregate_hash,
      timestamp: input.timestamp,
      job_id: input.job_id,
      success: input.success,
      in_progress: false,
      url: input.url,
      notes,
      user,
      component: recorded.component,
    };
  }

  @Get('repo_status')
  @ApiOperation({ summary: 'Every vote on one repo, in recording order' })
  @ApiQueryInput(REPO_STATUS)
  @ApiOkResponse({ description: 'Votes (may be empty)', schema: { type: 'array', items: REPO_STATUS_ITEM_SCHEMA } })
  @ApiBadRequestResponse(badRequest)
  @ApiAsOf()
  async repoStatus(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, REPO_STATUS);
    const at = await this.timeTravel.of(request, reply);
    const key = `rs:${JSON.stringify([input.commit_hash, input.distro_hash, input.extended_hash, input.success])}`;
    return this.timeTravel.cached(at, key, async () => {
      const query = new RepoStatusQuery(
        input.commit_hash,
        input.distro_hash,
        input.extended_hash,
        input.success,
        at?.position ?? null,
      );
      const { commit, votes } = await answering(this.queries.execute(query));
      return votes.map((v) => repoStatusItem(v, input.commit_hash, input.distro_hash, commit));
    });
  }

  @Get('agg_status')
  @ApiOperation({ summary: 'Every vote on one aggregate hash' })
  @ApiQueryInput(AGG_STATUS)
  @ApiOkResponse({
    description: 'Votes (empty for an unknown hash)',
    schema: { type: 'array', items: AGG_STATUS_ITEM_SCHEMA },
  })
  @ApiBadRequestResponse(badRequest)
  async aggStatus(@Req() request: FastifyRequest) {
    const input = readInput(request, AGG_STATUS);
    return this.views.cached(`as:${JSON.stringify([input.aggregate_hash, input.success])}`, async () =>
      (await this.queries.execute(new AggStatusQuery(input.aggregate_hash, input.success))).map(aggStatusItem),
    );
  }
}

/** What `last_tested_repo` (GET or POST) selects by. */
function selectionOf(input: LastTestedRepoInput): VoteSelection {
  return {
    success: input.success,
    jobId: input.job_id,
    sequentialMode: input.sequential_mode,
    previousJobId: input.previous_job_id,
    component: input.component,
  };
}
