import { Controller, Get, Inject, Req, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RepoDiffQuery, type DiffSide, type RepoDiff, type RepoDiffRefusal } from '#application/queries/diff/index.js';
import { reportSettings } from '#application/reports/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { liveLinks, type ReportSettings } from '#reports/index.js';
import { renderRepoDiff } from '#reports/repo-diff.renderer.js';
import { ERROR_SCHEMA } from '../dlrn/openapi-examples.js';
import { ApiQueryInput } from '../http/api-input.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { readInput } from '../http/request-input.js';
import { ApiPage, HTML } from '../pages/page-docs.js';
import { PageSecurityInterceptor } from '../pages/page-security.interceptor.js';
import { cachedPage } from '../views/page-cache.js';
import { TimeTravel } from '../views/as-of.js';
import { ViewVersion } from '../views/view-version.js';
import { DIFF, type DiffInput } from './diff-inputs.js';
import { DIFF_SCHEMA, diffAnswer, diffView } from './diff-shapes.js';

const errors = { schema: ERROR_SCHEMA };

/** A refusal as the API words it: which side, and what is wrong with it. */
function refused(refusal: RepoDiffRefusal): DlrnHttpError {
  switch (refusal.refusal) {
    case 'unknown_repo':
      return new DlrnHttpError(404, `No such repository ${refusal.ref} (${refusal.side})`);
    case 'no_snapshot':
      return new DlrnHttpError(
        404,
        `Repository ${refusal.ref} (${refusal.side}) has no package list: no snapshot in the log and no versions.csv`,
      );
    case 'as_of_unavailable':
      return new DlrnHttpError(400, `Invalid ${refusal.side}_as_of: ${refusal.reason}`);
  }
}

/**
 * Repo diff (issue 20): packages added, removed and changed between two repositories, each
 * named by hash or pointer; as JSON and as a page. Reads are protected with
 * protect_read_endpoints, as every GET.
 */
@ApiTags('diff')
@Controller('api')
export class DiffHttpController {
  private readonly settings: ReportSettings;

  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(TimeTravel) private readonly timeTravel: TimeTravel,
    @Inject(DLRN_CONFIG) config: DlrnConfig,
  ) {
    this.settings = reportSettings(config);
  }

  @Get('diff')
  @ApiOperation({
    summary: 'What changed between two repositories: packages added, removed and changed',
    description:
      'Each side is a repo hash (`<commit>_<distro8>` or `<commit>_<distro>`), `current`, `consistent` or a ' +
      "promotion name. The package lists are the snapshots the repositories' builds recorded (RepoPublished), " +
      'or their versions.csv for builds imported without one.',
  })
  @ApiQueryInput(DIFF)
  @ApiOkResponse({ schema: DIFF_SCHEMA })
  @ApiBadRequestResponse(errors)
  @ApiNotFoundResponse(errors)
  async diff(@Req() request: FastifyRequest) {
    const sides = await this.sides(readInput(request, DIFF));
    return this.views.cached(`diff:${JSON.stringify(sides)}`, async () =>
      diffAnswer(await this.compute(sides), this.settings.baseurl ?? ''),
    );
  }

  @Get('diff.html')
  @UseInterceptors(PageSecurityInterceptor)
  @ApiPage('text/html', 'The repo diff as a page: changed packages with their upstream range, added, removed')
  @ApiQueryInput(DIFF)
  async diffPage(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const sides = await this.sides(readInput(request, DIFF));
    return cachedPage(this.views, request, reply, `diff.html:${JSON.stringify(sides)}`, async () => ({
      contentType: HTML,
      body: renderRepoDiff(diffView(await this.compute(sides)), this.settings, liveLinks(this.settings.baseurl)),
    }));
  }

  /**
   * Both sides with their moments resolved to log positions (as every `as_of`: 400 malformed,
   * 409 past the log, 503 past the views after a short wait). The answers are cached under the
   * resolved positions, so an instant and the position it names share one entry.
   */
  private async sides(input: DiffInput): Promise<{ from: DiffSide; to: DiffSide }> {
    const side = async (name: 'from' | 'to', ref: string, raw: string | null): Promise<DiffSide> => {
      if (raw === null) return { ref, at: null, asOf: null };
      const point = await this.timeTravel.resolve(raw, `${name}_as_of`);
      return { ref, at: point.position, asOf: raw };
    };
    const [from, to] = await Promise.all([
      side('from', input.from, input.from_as_of ?? input.as_of),
      side('to', input.to, input.to_as_of ?? input.as_of),
    ]);
    return { from, to };
  }

  private async compute({ from, to }: { from: DiffSide; to: DiffSide }): Promise<RepoDiff> {
    const answer = await this.queries.execute(new RepoDiffQuery(from, to));
    if ('refusal' in answer) throw refused(answer);
    return answer;
  }
}
