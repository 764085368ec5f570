import { Controller, Get, Inject, Param, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiNotFoundResponse, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/core.module.js';
import {
  DashboardQueries,
  liveLinks,
  readBuildLog,
  renderBuildPage,
  renderBuildReport,
  renderQueue,
  renderStatusReportCsv,
  renderStatusReportHtml,
  reportSettings,
  type ReportSettings,
} from '#infrastructure/reports/index.js';
import { join } from 'node:path';
import { ApiPage, HTML } from './page-docs.js';
import { buildReportFilters, type RawQuery } from './pages.request.js';
import { ViewCacheInterceptor } from '../views/view-cache.interceptor.js';

/** The build pages, rendered from the projections on each request. */
@ApiTags('pages')
@Controller('api')
@UseInterceptors(ViewCacheInterceptor)
// These GETs are reads for the auth hook (auth/route-policy.ts): protected with
// protect_read_endpoints. Input errors are DlrnHttpError, answered by DlrnExceptionFilter.
export class ReportPagesHttpController {
  private readonly settings: ReportSettings;

  constructor(
    @Inject(DashboardQueries) private readonly queries: DashboardQueries,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
  ) {
    this.settings = reportSettings(config);
  }

  @Get('status_report.html')
  @ApiPage('text/html', 'Per package: last build, first failure after the last success, days since then')
  async statusReport(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const rows = await this.queries.statusRows();
    void reply.header('content-type', HTML);
    return renderStatusReportHtml(rows, this.settings, liveLinks(this.settings.baseurl), Date.now() / 1000);
  }

  @Get('status_report.csv')
  @ApiPage('text/csv', "DLRN's status_report.csv: one line per package from its last build")
  async statusReportCsv(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const docs = await this.queries.packageStatuses();
    void reply.header('content-type', 'text/csv; charset=utf-8');
    return renderStatusReportCsv(docs);
  }

  @Get('report.html')
  @ApiPage('text/html', 'Builds newest first, 100 per page, filtered by package, component and status')
  @ApiQuery({ name: 'package', required: false, description: 'Only this package' })
  @ApiQuery({ name: 'component', required: false, description: 'Only this component' })
  @ApiQuery({ name: 'success', required: false, description: '`1`: SUCCESS builds; any other value: FAILED ones' })
  @ApiQuery({ name: 'offset', required: false, description: 'Builds to skip (pages of 100)', type: Number })
  async report(@Query() query: RawQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const page = await this.queries.buildReport(buildReportFilters(query));
    void reply.header('content-type', HTML);
    return renderBuildReport(page, this.settings, liveLinks(this.settings.baseurl));
  }

  @Get('queue.html')
  @ApiPage('text/html', 'Commits discovered and not built yet (waiting or building)')
  async queue(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const queue = await this.queries.queue();
    void reply.header('content-type', HTML);
    return renderQueue(queue, this.settings, liveLinks(this.settings.baseurl));
  }

  @Get('build/:file')
  @ApiPage('text/html', 'One build attempt: every field and its rpmbuild.log (the last 512 KiB)')
  @ApiParam({ name: 'file', description: '`<buildId>.html`', example: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.html' })
  @ApiNotFoundResponse({ description: 'No such build', content: { 'text/html': { schema: { type: 'string' } } } })
  async build(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const buildId = file.endsWith('.html') ? file.slice(0, -'.html'.length) : null;
    const build = buildId ? await this.queries.build(buildId) : null;
    const links = liveLinks(this.settings.baseurl, '../');
    void reply.header('content-type', HTML);
    if (build === null) {
      void reply.status(404);
      return notFoundPage(file);
    }
    const repoDir = build.repoDir;
    const log = repoDir === null ? null : await readBuildLog(join(this.config.default.datadir, 'repos'), repoDir);
    return renderBuildPage(build, log, this.settings, links);
  }
}

function notFoundPage(file: string): string {
  const text = file.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>No such build</title><link rel="stylesheet" href="../static/styles.css"></head><body><main><h1>No such build</h1><p>There is no build ${text}. <a href="../report.html">All builds</a></p></main></body></html>\n`;
}
