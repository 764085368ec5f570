import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiBodyInput, ApiQueryInput } from '../http/api-input.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { callerOf, readInput } from '../http/request-input.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { ViewVersion } from '../views/view-version.js';
import { AGG_STATUS, LAST_TESTED_REPO, LAST_TESTED_REPO_POST, REPORT_RESULT, REPO_STATUS } from './dlrn-inputs.js';
import { aggStatusItem, repoStatusItem, voteAnswer } from './dlrn-responses.js';
import {
  AGG_STATUS_ITEM_SCHEMA,
  ERROR_SCHEMA,
  REPORT_RESULT_SCHEMA,
  REPO_STATUS_ITEM_SCHEMA,
  VOTE_SCHEMA,
} from './openapi-examples.js';
import { VotesService } from './votes.service.js';

const badRequest = { description: 'Invalid input, or nothing matches', schema: ERROR_SCHEMA };
const notJson = { description: 'Content-Type is not exactly application/json', schema: ERROR_SCHEMA };

/** CI votes: which repo to test next, claims, verdicts, and the votes on a repo. */
@ApiTags('votes')
@Controller('api')
export class VotesHttpController {
  constructor(
    @Inject(VotesService) private readonly votes: VotesService,
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  @Get('last_tested_repo')
  @ApiOperation({ summary: 'The repo last tested by a CI job (DLRN getVote rules)' })
  @ApiQueryInput(LAST_TESTED_REPO)
  @ApiOkResponse({ description: 'The newest matching vote', schema: VOTE_SCHEMA })
  @ApiBadRequestResponse(badRequest)
  async lastTestedRepo(@Req() request: FastifyRequest) {
    const input = readInput(request, LAST_TESTED_REPO);
    const after = this.votes.cutoff(input.max_age);
    // JSON, not a joined string: free-text fields holding ':' or the text 'null' must not collide.
    const key = `ltr:${JSON.stringify([after, input.success, input.job_id, input.sequential_mode, input.previous_job_id, input.component])}`;
    return this.views.cached(key, async () => voteAnswer(await this.votes.lastTestedRepo(input, after)));
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
    return this.votes.claim(readInput(request, LAST_TESTED_REPO_POST, true), callerOf(request));
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
    return this.votes.report(readInput(request, REPORT_RESULT, true), callerOf(request));
  }

  @Get('repo_status')
  @ApiOperation({ summary: 'Every vote on one repo, in recording order' })
  @ApiQueryInput(REPO_STATUS)
  @ApiOkResponse({ description: 'Votes (may be empty)', schema: { type: 'array', items: REPO_STATUS_ITEM_SCHEMA } })
  @ApiBadRequestResponse(badRequest)
  async repoStatus(@Req() request: FastifyRequest) {
    const input = readInput(request, REPO_STATUS);
    const key = `rs:${JSON.stringify([input.commit_hash, input.distro_hash, input.extended_hash, input.success])}`;
    return this.views.cached(key, async () => {
      const commit = await this.queries.successfulCommit(input.commit_hash, input.distro_hash, input.extended_hash);
      if (commit === null) throw new DlrnHttpError(400, 'commit_hash+distro_hash+extended_hash combination not found');
      const votes = await this.queries.votesOn(commit, input.success);
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
      (await this.queries.aggregateVotes(input.aggregate_hash, input.success)).map(aggStatusItem),
    );
  }
}
