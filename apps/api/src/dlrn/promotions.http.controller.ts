import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBodyInput, ApiQueryInput, inputSchema } from '../http/api-input.js';
import type { RepoPromoted } from '#domain/promotion/promotion.events.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { parseModel, requireExactJson } from '../http/dlrn-input.js';
import { callerOf, readInput } from '../http/request-input.js';
import { markWritten } from '../http/log-position.js';
import { PromoteBatchCommand } from '#application/promotions/promote-batch.handler.js';
import { PromoteCommand } from '#application/promotions/promote.handler.js';
import type { PromotionOutcome } from '#application/promotions/promoter.js';
import type { PromotionRequest } from '#application/promotions/promotion-plan.js';
import { PromotionsQuery } from '#application/promotions/promotions.query.js';
import { ViewVersion } from '../views/view-version.js';
import { ApiAsOf, TimeTravel } from '../views/as-of.js';
import { PROMOTE, PROMOTIONS, type PromoteInput } from './dlrn-inputs.js';
import { promotionAnswer, type PromotionAnswer } from './dlrn-responses.js';
import { ERROR_SCHEMA, PROMOTION_SCHEMA } from './openapi-examples.js';
import { answering, dlrnAnswerTo } from './dlrn-refusals.js';

const errors = { schema: ERROR_SCHEMA };

/** Promotions: named symlinks to repos (`current-passed-ci`…), and their history. */
@ApiTags('promotions')
@Controller('api')
export class PromotionsHttpController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
    @Inject(TimeTravel) private readonly timeTravel: TimeTravel,
  ) {}

  @Get('promotions')
  @ApiOperation({ summary: 'Promotions, newest first (no limit: all of them, as DLRN)' })
  @ApiQueryInput(PROMOTIONS)
  @ApiOkResponse({ description: 'Promotions', schema: { type: 'array', items: PROMOTION_SCHEMA } })
  @ApiBadRequestResponse({ description: 'Invalid input or unknown commit', ...errors })
  @ApiAsOf()
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, PROMOTIONS);
    const at = await this.timeTravel.of(request, reply);
    const key = `pr:${JSON.stringify(input)}`;
    return this.timeTravel.cached(at, key, async () => {
      const query = new PromotionsQuery(
        {
          commit:
            input.commit_hash && input.distro_hash
              ? { commitHash: input.commit_hash, distroHash: input.distro_hash, extendedHash: input.extended_hash }
              : null,
          aggregateHash: input.aggregate_hash,
          promoteName: input.promote_name,
          component: input.component,
          offset: input.offset,
          limit: input.limit,
        },
        at?.position ?? null,
      );
      const rows = await answering(this.queries.execute(query));
      return rows.map((p) => promotionAnswer(p, this.baseurl));
    });
  }

  @Post('promote')
  @HttpCode(201)
  @ApiBasicAuth()
  @ApiOperation({ summary: 'Point a promotion name (symlink) at a successfully built repo' })
  @ApiBodyInput(PROMOTE)
  @ApiCreatedResponse({ description: 'The promotion', schema: PROMOTION_SCHEMA })
  @ApiBadRequestResponse({ description: 'Missing hashes or unknown commit', ...errors })
  @ApiForbiddenResponse({
    description:
      'Reserved name (current, consistent, any name ending in _), a name leaving the repos dir, ' +
      'or the name of a file or directory of the repos dir',
    ...errors,
  })
  @ApiGoneResponse({ description: 'The repo was purged', ...errors })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not application/json', ...errors })
  @ApiResponse({
    status: 503,
    description: 'The event log refused the write: nothing recorded, no link moved',
    ...errors,
  })
  @ApiResponse({ status: 507, description: 'The event log is full: nothing recorded, no link moved', ...errors })
  async promote(@Req() request: FastifyRequest) {
    const input = readInput(request, PROMOTE, true);
    const outcome = await this.promoted(request, new PromoteCommand(requestOf(input), callerOf(request)));
    return this.answer(input, outcome.recorded[0]!);
  }

  @Post('promote-batch')
  @HttpCode(201)
  @ApiBasicAuth()
  @ApiOperation({
    summary:
      'Several promotions at once: all or none (every item checked first; if the log refuses one, those recorded are rolled back)',
  })
  @ApiBody({ schema: { type: 'array', items: inputSchema(PROMOTE) } })
  @ApiCreatedResponse({ description: 'The last promotion of the batch', schema: PROMOTION_SCHEMA })
  @ApiBadRequestResponse({ description: 'Invalid item or unknown commit', ...errors })
  @ApiForbiddenResponse({ description: 'Reserved or escaping promote_name', ...errors })
  @ApiGoneResponse({ description: 'A repo was purged', ...errors })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not application/json', ...errors })
  @ApiResponse({ status: 503, description: 'The event log refused a write: the batch is rolled back', ...errors })
  @ApiResponse({ status: 507, description: 'The event log is full: the batch is rolled back', ...errors })
  async promoteBatch(@Req() request: FastifyRequest) {
    requireExactJson(request.headers['content-type']);
    const body = request.body;
    // DLRN crashes (500) on an empty array; we say what is wrong.
    if (!Array.isArray(body) || body.length === 0) {
      throw new DlrnHttpError(400, 'The request body must be a non-empty JSON array of promotions');
    }
    const inputs = body.map((item: unknown, index) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new DlrnHttpError(400, `Item ${index} of the batch must be a JSON object`);
      }
      return parseModel(PROMOTE, item as Record<string, unknown>);
    });
    const outcome = await this.promoted(request, new PromoteBatchCommand(inputs.map(requestOf), callerOf(request)));
    return this.answer(inputs[inputs.length - 1]!, outcome.recorded[outcome.recorded.length - 1]!);
  }

  /** Runs a promotion; once its links moved (or failed to), waits for the views to show it. */
  private async promoted(
    request: FastifyRequest,
    command: PromoteCommand | PromoteBatchCommand,
  ): Promise<PromotionOutcome> {
    const outcome = await answering(this.commands.execute(command));
    markWritten(request, outcome.position);
    await this.views.waitFor(outcome.position);
    if (outcome.linkError !== null) throw dlrnAnswerTo(outcome.linkError);
    return outcome;
  }

  private get baseurl(): string {
    return this.config.default.baseurl ?? '';
  }

  /** DLRN echoes the requested hashes; extended hash and component are the commit's. */
  private answer(input: PromoteInput, data: RepoPromoted['data']): PromotionAnswer {
    return {
      ...promotionAnswer({ ...data, id: 0, lastPosition: 0 }, this.baseurl),
      commit_hash: input.commit_hash!,
      distro_hash: input.distro_hash!,
    };
  }
}

/** The input's rules guarantee both hashes (a 400 otherwise). */
function requestOf(input: PromoteInput): PromotionRequest {
  return {
    commitHash: input.commit_hash ?? '',
    distroHash: input.distro_hash ?? '',
    extendedHash: input.extended_hash,
    promoteName: input.promote_name,
  };
}
