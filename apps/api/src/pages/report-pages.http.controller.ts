import { Controller, Get, Inject, Param, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import {
  liveLinks,
  renderBuildPage,
  renderBuildReport,
  renderQueue,
  renderStatusReportCsv,
  renderStatusReportHtml,
  withAsOfBanner,
  type ReportSettings,
} from '#reports/index.js';
import {
  BuildPageQuery,
  BuildReportQuery,
  PackageStatusesQuery,
  PendingCommitsQuery,
  StatusRowsQuery,
} from '#application/queries/pages/index.js';
import { reportSettings } from '#application/reports/index.js';
import { ApiPage, HTML } from './page-docs.js';
import { buildReportFilters, type RawQuery } from './pages.request.js';
import { cachedPage } from '../views/page-cache.js';
import { ViewVersion } from '../views/view-version.js';
import { ApiAsOf, TimeTravel, type TimePoint } from '../views/as-of.js';
import { PageSecurityInterceptor } from './page-security.interceptor.js';

/** The build pages, rendered from the projections once per views version and input. */
@ApiTags('pages')
@Controller('api')
@UseInterceptors(PageSecurityInterceptor)
// These GETs are reads for the auth hook (auth/route-policy.ts): protected with
// protect_read_endpoints. Input errors are DlrnHttpError, answered by DlrnExceptionFilter.
export class ReportPagesHttpController {
  private readonly settings: ReportSettings;

  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(DLRN_CONFIG) config: DlrnConfig,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(TimeTravel) private readonly timeTravel: TimeTravel,
  ) {
    this.settings = reportSettings(config);
  }

  @Get('status_report.html')
  @ApiPage('text/html', 'Per package: last build, first failure after the last success, days since then')
  @ApiAsOf()
  async statusReport(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const at = await this.timeTravel.of(request, reply);
    return cachedPage(
      this.views,
      request,
      reply,
      'status_report.html',
      async () => {
        const rows = await this.queries.execute(new StatusRowsQuery(at?.position ?? null));
        // "Days since" counts to the moment shown.
        const now = at === null ? Date.now() / 1000 : at.instant.getTime() / 1000;
        const body = renderStatusReportHtml(rows, this.settings, liveLinks(this.settings.baseurl), now);
        return { contentType: HTML, body: bannered(body, at, 'status_report.html') };
      },
      at?.position ?? null,
    );
  }

  @Get('status_report.csv')
  @ApiPage('text/csv', "DLRN's status_report.csv: one line per package from its last build")
  @ApiAsOf()
  async statusReportCsv(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const at = await this.timeTravel.of(request, reply);
    return cachedPage(
      this.views,
      request,
      reply,
      'status_report.csv',
      async () => ({
        contentType: 'text/csv; charset=utf-8',
        body: renderStatusReportCsv(await this.queries.execute(new PackageStatusesQuery(at?.position ?? null))),
      }),
      at?.position ?? null,
    );
  }

  @Get('report.html')
  @ApiPage('text/html', 'Builds newest first, 100 per page, filtered by package, component and status')
  @ApiQuery({ name: 'package', required: false, description: 'Only this package' })
  @ApiQuery({ name: 'component', required: false, description: 'Only this component' })
  @ApiQuery({ name: 'success', required: false, description: '`1`: SUCCESS builds; any other value: FAILED ones' })
  @ApiQuery({ name: 'offset', required: false, description: 'Builds to skip (pages of 100)', type: Number })
  @ApiAsOf()
  async report(
    @Query() query: RawQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const filters = buildReportFilters(query);
    const at = await this.timeTravel.of(request, reply);
    return cachedPage(
      this.views,
      request,
      reply,
      `report.html:${JSON.stringify(filters)}`,
      async () => {
        const page = await this.queries.execute(new BuildReportQuery(filters, at?.position ?? null));
        const body = renderBuildReport(page, this.settings, liveLinks(this.settings.baseurl));
        return { contentType: HTML, body: bannered(body, at, 'report.html') };
      },
      at?.position ?? null,
    );
  }

  @Get('queue.html')
  @ApiPage('text/html', 'Commits discovered and not built yet (waiting or building)')
  async queue(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return cachedPage(this.views, request, reply, 'queue.html', async () => ({
      contentType: HTML,
      body: renderQueue(
        await this.queries.execute(new PendingCommitsQuery()),
        this.settings,
        liveLinks(this.settings.baseurl),
      ),
    }));
  }

  @Get('build/:file')
  @ApiPage('text/html', 'One build attempt: every field and its rpmbuild.log (the last 512 KiB)')
  @ApiParam({ name: 'file', description: '`<buildId>.html`', example: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.html' })
  @ApiNotFoundResponse({ description: 'No such build', content: { 'text/html': { schema: { type: 'string' } } } })
  async build(
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return cachedPage(this.views, request, reply, `build:${file}`, async () => {
      const buildId = file.endsWith('.html') ? file.slice(0, -'.html'.length) : null;
      const found = buildId ? await this.queries.execute(new BuildPageQuery(buildId)) : null;
      if (found === null) return { status: 404, contentType: HTML, body: notFoundPage(file) };
      const links = liveLinks(this.settings.baseurl, '../');
      return { contentType: HTML, body: renderBuildPage(found.build, found.log, this.settings, links) };
    });
  }
}

/** A page as of a past moment says so, and links back to the page now. */
function bannered(body: string, at: TimePoint | null, nowHref: string): string {
  return at === null ? body : withAsOfBanner(body, at, nowHref);
}

function notFoundPage(file: string): string {
  const text = file.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>No such build</title><link rel="stylesheet" href="../static/styles.css"></head><body><main><h1>No such build</h1><p>There is no build ${text}. <a href="../report.html">All builds</a></p></main></body></html>\n`;
}
