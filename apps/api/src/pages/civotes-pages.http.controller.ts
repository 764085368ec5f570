import { Controller, Get, Inject, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import {
  liveLinks,
  renderCiVotes,
  renderCiVotesAgg,
  renderCiVotesAggDetail,
  renderCiVotesDetail,
  type ReportSettings,
} from '#reports/index.js';
import {
  CiVotesAggDetailQuery,
  CiVotesAggQuery,
  CiVotesDetailQuery,
  CiVotesQuery,
} from '#application/queries/pages/index.js';
import { reportSettings } from '#application/reports/index.js';
import { ApiPage, HTML } from './page-docs.js';
import { aggVoteDetailFilters, voteDetailFilters, votesOffset, type RawQuery } from './pages.request.js';
import { cachedPage } from '../views/page-cache.js';
import { ViewVersion } from '../views/view-version.js';
import { PageSecurityInterceptor } from './page-security.interceptor.js';

const OFFSET_ERROR = "Errors detected: 1 {'offset': 'value is not a valid integer'}";

/**
 * DLRN's CI vote pages, rendered on the server from the ci_votes and ci_votes_agg projections,
 * once per views version and input.
 */
@ApiTags('pages')
@Controller('api')
@UseInterceptors(PageSecurityInterceptor)
// These GETs are reads for the auth hook (auth/route-policy.ts): protected with
// protect_read_endpoints. Input errors are DlrnHttpError, answered by DlrnExceptionFilter.
export class CiVotesPagesHttpController {
  private readonly settings: ReportSettings;

  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(DLRN_CONFIG) config: DlrnConfig,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {
    this.settings = reportSettings(config);
  }

  @Get('civotes.html')
  @ApiPage('text/html', 'The newest 100 CI votes (but `consistent`), grouped by repository', OFFSET_ERROR)
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'Votes to skip (≥ 0)' })
  async civotes(
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const offset = votesOffset(query);
    return cachedPage(this.views, request, reply, `civotes.html:${offset}`, async () => ({
      contentType: HTML,
      body: renderCiVotes(
        await this.queries.execute(new CiVotesQuery(offset)),
        this.settings,
        liveLinks(this.settings.baseurl),
      ),
    }));
  }

  @Get('civotes_detail.html')
  @ApiPage(
    'text/html',
    'CI votes on one repository, of one component or of one CI job, newest first',
    'Please specify either commit_hash+distro_hash, component or ci_name as parameters.',
  )
  @ApiQuery({ name: 'commit_hash', required: false, description: 'With distro_hash: votes on this repository' })
  @ApiQuery({ name: 'distro_hash', required: false })
  @ApiQuery({ name: 'component', required: false })
  @ApiQuery({ name: 'ci_name', required: false, description: 'Votes of this CI job' })
  @ApiQuery({ name: 'success', required: false, description: '`True`: successful votes; any other value: the others' })
  @ApiQuery({ name: 'offset', required: false, type: Number })
  async civotesDetail(
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { filters, offset } = voteDetailFilters(query);
    return cachedPage(
      this.views,
      request,
      reply,
      `civotes_detail.html:${JSON.stringify([filters, offset])}`,
      async () => {
        const page = await this.queries.execute(new CiVotesDetailQuery(filters, offset));
        return {
          contentType: HTML,
          body: renderCiVotesDetail(page, filters, this.settings, liveLinks(this.settings.baseurl)),
        };
      },
    );
  }

  @Get('civotes_agg.html')
  @ApiPage('text/html', 'The newest 100 votes on aggregate hashes, grouped by hash', OFFSET_ERROR)
  @ApiQuery({ name: 'offset', required: false, type: Number, description: 'Votes to skip (≥ 0)' })
  async civotesAgg(
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const offset = votesOffset(query);
    return cachedPage(this.views, request, reply, `civotes_agg.html:${offset}`, async () => ({
      contentType: HTML,
      body: renderCiVotesAgg(
        await this.queries.execute(new CiVotesAggQuery(offset)),
        this.settings,
        liveLinks(this.settings.baseurl),
      ),
    }));
  }

  @Get('civotes_agg_detail.html')
  @ApiPage(
    'text/html',
    'Votes on one aggregate hash or of one CI job, newest first',
    'Please specify either ref_hash or ci_name as parameters.',
  )
  @ApiQuery({ name: 'ref_hash', required: false, description: 'The aggregate hash' })
  @ApiQuery({ name: 'ci_name', required: false })
  @ApiQuery({ name: 'success', required: false, description: '`True`: successful votes; any other value: the others' })
  @ApiQuery({ name: 'offset', required: false, type: Number })
  async civotesAggDetail(
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { filters, offset } = aggVoteDetailFilters(query);
    const key = `civotes_agg_detail.html:${JSON.stringify([filters, offset])}`;
    return cachedPage(this.views, request, reply, key, async () => {
      const page = await this.queries.execute(new CiVotesAggDetailQuery(filters, offset));
      const links = liveLinks(this.settings.baseurl);
      return { contentType: HTML, body: renderCiVotesAggDetail(page, filters, this.settings, links) };
    });
  }
}
