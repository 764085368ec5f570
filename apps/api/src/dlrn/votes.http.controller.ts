import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
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
const maxAge = {
  name: 'max_age',
  type: Number,
  required: true,
  description: 'Maximum age of the vote in hours (0: any)',
  example: 24,
};
const success = {
  name: 'success',
  type: Boolean,
  required: false,
  description: 'Only successful (true) or unsuccessful (false) votes',
};

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
  @ApiQuery(maxAge)
  @ApiQuery(success)
  @ApiQuery({
    name: 'job_id',
    required: false,
    description: 'Name of the CI job that voted',
    example: 'periodic-tempest',
  })
  @ApiQuery({ name: 'sequential_mode', type: Boolean, required: false, description: 'Only look at previous_job_id' })
  @ApiQuery({ name: 'previous_job_id', required: false, description: 'Required with sequential_mode' })
  @ApiQuery({ name: 'component', required: false, description: 'Only votes on this component' })
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
  @ApiBody({
    schema: {
      type: 'object',
      required: ['max_age', 'reporting_job_id'],
      properties: {
        max_age: { type: 'integer', example: 24 },
        reporting_job_id: { type: 'string', example: 'phase2-ci' },
        success: { type: 'boolean' },
        job_id: { type: 'string' },
        sequential_mode: { type: 'boolean' },
        previous_job_id: { type: 'string' },
        component: { type: 'string' },
      },
    },
  })
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
  @ApiBody({
    schema: {
      type: 'object',
      required: ['job_id', 'url', 'timestamp', 'success'],
      properties: {
        job_id: { type: 'string', example: 'periodic-tempest' },
        url: { type: 'string', example: 'https://ci.example.org/job/42' },
        timestamp: { type: 'integer', example: 1700000000 },
        success: { type: 'boolean', example: true },
        commit_hash: { type: 'string' },
        distro_hash: { type: 'string' },
        extended_hash: { type: 'string' },
        aggregate_hash: { type: 'string' },
        notes: { type: 'string', example: '' },
      },
    },
  })
  @ApiCreatedResponse({ description: 'The recorded vote', schema: REPORT_RESULT_SCHEMA })
  @ApiBadRequestResponse(badRequest)
  @ApiUnsupportedMediaTypeResponse(notJson)
  async reportResult(@Req() request: FastifyRequest) {
    return this.votes.report(readInput(request, REPORT_RESULT, true), callerOf(request));
  }

  @Get('repo_status')
  @ApiOperation({ summary: 'Every vote on one repo, in recording order' })
  @ApiQuery({ name: 'commit_hash', required: true })
  @ApiQuery({ name: 'distro_hash', required: true })
  @ApiQuery({ name: 'extended_hash', required: false })
  @ApiQuery(success)
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
  @ApiQuery({ name: 'aggregate_hash', required: true })
  @ApiQuery(success)
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
