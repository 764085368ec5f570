import { Controller, Get, Inject, Req, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChangeBuildsQuery, type ChangeBuildsPage } from '#application/change-builds/changes.query.js';
import type { ChangeBuildDoc, ChangeBuildDocState } from '#domain/projections/index.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { escapeHtml } from '#reports/html.js';
import { ERROR_SCHEMA } from '../dlrn/openapi-examples.js';
import { ApiQueryInput } from '../http/api-input.js';
import { readInput } from '../http/request-input.js';
import { PageSecurityInterceptor } from '../pages/page-security.interceptor.js';
import { CHANGES, nextChangesHref } from './changes-inputs.js';

const CHANGE_SCHEMA = {
  type: 'object',
  properties: {
    forge: { type: 'string', enum: ['github', 'gitlab', 'gitea', 'gerrit'] },
    change: { type: 'string', example: '42', description: 'The pull request, merge request or Gerrit change number' },
    patchset: { type: 'integer', example: 2 },
    package: { type: 'string', example: 'python-greeting' },
    side: { type: 'string', enum: ['upstream', 'distgit'] },
    state: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'superseded', 'cancelled'] },
    head_sha: { type: 'string' },
    fetch_ref: { type: 'string', example: 'refs/pull/42/head' },
    repository_url: { type: 'string' },
    requested_at: { type: 'string', format: 'date-time' },
    started_at: { type: 'string', format: 'date-time', nullable: true },
    finished_at: { type: 'string', format: 'date-time', nullable: true },
    nvr: { type: 'string', nullable: true },
    rpms: { type: 'array', items: { type: 'string' } },
    reason: { type: 'string', nullable: true, description: 'Why it failed or was cancelled' },
    superseded_by: { type: 'integer', nullable: true },
    purged: { type: 'boolean' },
    repo_url: {
      type: 'string',
      nullable: true,
      description: 'The repository under `baseurl`, once built (until purged)',
    },
    links: {
      type: 'object',
      properties: {
        repo: { type: 'string', nullable: true, description: 'The repository as `dlrn api` serves it' },
        repo_file: {
          type: 'string',
          nullable: true,
          description: 'Its `.repo` file: this repository and `consistent`',
        },
        log: { type: 'string', nullable: true },
      },
    },
  },
};

function changeAnswer(doc: ChangeBuildDoc, baseurl: string) {
  const served = (path: string | null) => (path === null ? null : `/${path}`);
  return {
    forge: doc.forge,
    change: doc.change,
    patchset: doc.patchset,
    package: doc.package,
    side: doc.side,
    state: doc.state,
    head_sha: doc.headSha,
    fetch_ref: doc.fetchRef,
    repository_url: doc.repositoryUrl,
    requested_at: doc.requestedAt,
    started_at: doc.startedAt,
    finished_at: doc.finishedAt,
    nvr: doc.nvr,
    rpms: doc.rpms,
    reason: doc.reason,
    superseded_by: doc.supersededBy,
    purged: doc.purged,
    repo_url: doc.repoPath === null ? null : `${baseurl.replace(/\/+$/, '')}/${doc.repoPath.replace(/^repos\//, '')}/`,
    links: {
      repo: doc.repoPath === null ? null : `${served(doc.repoPath)}/`,
      repo_file: doc.repoPath === null || doc.repoFile === null ? null : `${served(doc.repoPath)}/${doc.repoFile}`,
      log: served(doc.logPath),
    },
  };
}

/**
 * Builds of proposed changes (issue 18 item 2): what a CI job reads to install the proposed
 * package (`links.repo_file`). Reads, as the other resources (open unless `protect_read_endpoints`).
 */
@ApiTags('changes')
@Controller('api')
export class ChangesHttpController {
  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
  ) {}

  private async page(request: FastifyRequest, reply: FastifyReply, path: string) {
    const input = readInput(request, CHANGES);
    const page: ChangeBuildsPage = await this.queries.execute(
      new ChangeBuildsQuery({
        package: input.package,
        forge: input.forge,
        state: input.state as ChangeBuildDocState | null,
        limit: input.limit,
        before: input.cursor,
      }),
    );
    const next = page.nextBefore === null ? null : nextChangesHref(path, input, page.nextBefore);
    if (next !== null) void reply.header('link', `<${next}>; rel="next"`);
    return { input, page, next };
  }

  @Get('changes')
  @ApiOperation({
    summary: 'Builds of proposed changes (pull requests, merge requests, Gerrit patch sets), newest first',
    description:
      'One entry per patch set and package, from the change webhooks (`[changes] enabled`): `queued`, `running`, ' +
      '`succeeded` (with its repository and `.repo` file, which lists it and `consistent`), `failed`, `superseded` ' +
      'by a newer patch set, or `cancelled` (the change was closed or merged). Follow `next` (also in the `Link` ' +
      'header) for older ones.',
  })
  @ApiQueryInput(CHANGES)
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { changes: { type: 'array', items: CHANGE_SCHEMA }, next: { type: 'string', nullable: true } },
    },
  })
  @ApiBadRequestResponse({ schema: ERROR_SCHEMA })
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { page, next } = await this.page(request, reply, '/api/changes');
    const baseurl = this.config.default.baseurl ?? '';
    return { changes: page.changes.map((doc) => changeAnswer(doc, baseurl)), next };
  }

  @Get('changes.html')
  @UseInterceptors(PageSecurityInterceptor)
  @ApiProduces('text/html')
  @ApiOperation({
    summary: 'The change builds as a page, with links to their repositories',
    description: 'As `GET /api/changes`.',
  })
  @ApiQueryInput(CHANGES)
  @ApiOkResponse({ content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiBadRequestResponse({ schema: ERROR_SCHEMA })
  async html(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { page, next } = await this.page(request, reply, '/api/changes.html');
    const baseurl = this.config.default.baseurl ?? '';
    void reply.header('content-type', 'text/html; charset=utf-8');
    return renderChangesPage(
      page.changes.map((doc) => changeAnswer(doc, baseurl)),
      next,
    );
  }
}

function renderChangesPage(changes: readonly ReturnType<typeof changeAnswer>[], next: string | null): string {
  const e = escapeHtml;
  const link = (href: string | null, text: string) => (href === null ? '' : `<a href="${e(href)}">${e(text)}</a>`);
  const rows = changes
    .map(
      (c) =>
        `<tr class="${e(c.state)}"><td>${e(c.package)}</td><td>${e(c.forge)}</td><td>${e(c.change)}</td>` +
        `<td>${c.patchset}</td><td>${e(c.side)}</td><td>${e(c.state)}</td><td><code>${e(c.head_sha.slice(0, 12))}</code></td>` +
        `<td>${e(c.nvr ?? '')}</td><td>${link(c.links.repo, 'repository')} ${link(c.links.repo_file, '.repo')} ` +
        `${link(c.links.log, 'log')}</td><td>${e(c.reason ?? '')}</td><td>${e(c.requested_at)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Change builds</title></head>
<body><h1>Change builds</h1>
<table>
<thead><tr><th>Package</th><th>Forge</th><th>Change</th><th>Patch set</th><th>Side</th><th>State</th><th>Head</th><th>NVR</th><th>Repository</th><th>Reason</th><th>Requested</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${next === null ? '' : `<p>${link(next, 'Older change builds')}</p>`}
</body></html>
`;
}
