import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BisectionRefusedError, StartBisectionCommand } from '#application/bisection/start-bisection.command.js';
import { BisectHistoryQuery, type BisectHistoryRefusal } from '#application/queries/bisect/index.js';
import { ERROR_SCHEMA } from '../dlrn/openapi-examples.js';
import { ApiBodyInput, ApiQueryInput } from '../http/api-input.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { callerOf, readInput } from '../http/request-input.js';
import { markWritten } from '../http/log-position.js';
import { ViewVersion } from '../views/view-version.js';
import { BISECT, type BisectInput } from './bisect-inputs.js';
import { BISECT_HISTORY_SCHEMA, BISECT_STARTED_SCHEMA, bisectHistoryAnswer } from './bisect-shapes.js';

const errors = { schema: ERROR_SCHEMA };

const historyHref = (pkg: string, good: string, bad: string): string =>
  `/api/bisect?${new URLSearchParams({ package: pkg, good, bad }).toString()}`;

function refused(refusal: BisectHistoryRefusal): DlrnHttpError {
  switch (refusal.refusal) {
    case 'unknown_package':
    case 'no_clone':
    case 'unknown_commit':
      return new DlrnHttpError(404, refusal.message);
    default:
      return new DlrnHttpError(400, refusal.message);
  }
}

/**
 * Bisection over HTTP (issue 20): what the history says of a range (GET, a read), and starting a
 * bisection (POST, role `admin`, as `recheck_package`: it schedules builds).
 */
@ApiTags('bisection')
@Controller('api')
export class BisectHttpController {
  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  @Get('bisect')
  @ApiOperation({
    summary: 'What the history says of the commits between a good and a bad one, with no build',
    description:
      "The first-parent commits after `good` up to `bad` (from the package's upstream clone in the datadir), " +
      'each with its builds and how they were made (commit build or bisection step), the last known good, the ' +
      'first known bad, the commits never built between them, and the dist-git commits between their builds.',
  })
  @ApiQueryInput(BISECT)
  @ApiOkResponse({ schema: BISECT_HISTORY_SCHEMA })
  @ApiBadRequestResponse(errors)
  @ApiNotFoundResponse(errors)
  async history(@Req() request: FastifyRequest) {
    const input = readInput(request, BISECT);
    return this.views.cached(`bisect:${JSON.stringify(input)}`, async () => {
      const answer = await this.queries.execute(new BisectHistoryQuery(input.package, input.good, input.bad));
      if ('refusal' in answer) throw refused(answer);
      return bisectHistoryAnswer(answer);
    });
  }

  @Post('bisect')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a bisection of a package between a good and a bad upstream commit',
    description:
      'Records BisectionStarted (idempotent: one bisection per package and good/bad pair) and its first step; ' +
      'build passes (`dlrn`, `dlrn builder`) build the steps. Answers 202 with the bisection and a `Location` ' +
      'to follow it (`GET /api/bisect` for the same range). Needs the `admin` role when roles are set.',
  })
  @ApiBodyInput(BISECT)
  @ApiAcceptedResponse({ schema: BISECT_STARTED_SCHEMA })
  @ApiBadRequestResponse(errors)
  @ApiUnauthorizedResponse({ description: 'No or bad credentials' })
  @ApiForbiddenResponse(errors)
  @ApiNotFoundResponse(errors)
  async start(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input: BisectInput = readInput(request, BISECT, true);
    let result;
    try {
      result = await this.commands.execute(
        new StartBisectionCommand({
          package: input.package,
          good: input.good,
          bad: input.bad,
          trigger: 'api',
          actor: callerOf(request),
        }),
      );
    } catch (error) {
      if (error instanceof BisectionRefusedError) {
        const notFound = error.code === 'UNKNOWN_PACKAGE' || error.code === 'UNKNOWN_COMMIT';
        throw new DlrnHttpError(notFound ? 404 : 400, error.message);
      }
      throw error;
    }
    markWritten(request, result.position);
    if (result.position !== null) await this.views.waitFor(result.position);
    const history = historyHref(result.package, result.good, result.bad);
    void reply.header('location', history);
    return {
      bisection_id: result.bisectionId,
      started: result.started,
      package: result.package,
      good: result.good,
      bad: result.bad,
      candidates: result.candidates.length,
      outcome: result.outcome,
      culprit: result.culprit,
      reason: result.reason,
      links: { history, package: `/api/packages/${encodeURIComponent(result.package)}` },
    };
  }
}
