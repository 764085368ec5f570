import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import { promotionAnswer, voteAnswer } from '../dlrn/dlrn-responses.js';
import { ERROR_SCHEMA, PROMOTION_SCHEMA, VOTE_SCHEMA } from '../dlrn/openapi-examples.js';
import { ApiQueryInput } from '../http/api-input.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { readInput } from '../http/request-input.js';
import { markUnknownInput } from '../views/hot-answers.js';
import { ViewVersion } from '../views/view-version.js';
import { ApiAsOf, TimeTravel, type TimePoint } from '../views/as-of.js';
import { eventAnswer } from '../history/event-answer.js';
import { statusBadgeSvg } from './badge.js';
import { BUILD_PAGE_SCHEMA, BUILD_SCHEMA, EVENT_SCHEMA, PACKAGE_SCHEMA } from './openapi-schemas.js';
import { buildResource, packageResource, type BuildResource, type Links } from './resource-shapes.js';
import { BUILDS, PACKAGES, encodeCursor, nextPageHref, type BuildsInput } from './resources-inputs.js';
import {
  BuildEventsQuery,
  BuildQuery,
  BuildTimelineQuery,
  FailuresQuery,
  PackageListQuery,
  PackageQuery,
  QueueQuery,
  RepoQuery,
} from '#application/queries/resources/index.js';

/** A build id (UUID); the build's page is `/api/build/<id>.html`. */
const BUILD_ID = ':id';
const errors = { schema: ERROR_SCHEMA };
const notFound = (what: string) => new DlrnHttpError(404, `No such ${what}`);

/**
 * The projections as JSON resources, for dashboards and scripts: packages and their status,
 * the build timeline (cursor pages), failures to triage, the queue, repositories, badges.
 */
@ApiTags('resources')
@Controller('api')
export class ResourcesHttpController {
  private readonly links: Links;

  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(DLRN_CONFIG) config: DlrnConfig,
    @Inject(TimeTravel) private readonly timeTravel: TimeTravel,
  ) {
    this.links = { baseurl: config.default.baseurl ?? '' };
  }

  @Get('packages')
  @ApiOperation({ summary: 'Status summary: every package, its last build and first failure after success' })
  @ApiQueryInput(PACKAGES)
  @ApiOkResponse({
    schema: { type: 'object', properties: { packages: { type: 'array', items: PACKAGE_SCHEMA } } },
  })
  @ApiBadRequestResponse(errors)
  @ApiAsOf()
  async packages(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, PACKAGES);
    const at = await this.timeTravel.of(request, reply);
    return this.cachedByInput(
      `packages:${JSON.stringify(input)}`,
      async (now) => ({
        packages: (
          await this.queries.execute(
            new PackageListQuery(
              { status: input.status, component: input.component, namePrefix: input.name },
              at?.position ?? null,
            ),
          )
        ).map((p) => packageResource(p, this.links, now)),
      }),
      at,
    );
  }

  @Get('packages/:name')
  @ApiOperation({ summary: 'One package' })
  @ApiParam({ name: 'name', example: 'python-nova' })
  @ApiOkResponse({ schema: PACKAGE_SCHEMA })
  @ApiNotFoundResponse(errors)
  @ApiAsOf()
  async package(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const at = await this.timeTravel.of(request, reply);
    return this.cachedFor(
      request,
      `package:${name}`,
      async (now) => {
        const doc = await this.queries.execute(new PackageQuery(name, at?.position ?? null));
        if (doc === null) throw notFound(`package ${name}`);
        return packageResource(doc, this.links, now);
      },
      at,
    );
  }

  @Get('packages/:name/builds')
  @ApiOperation({ summary: "One package's builds, newest first, in cursor pages" })
  @ApiParam({ name: 'name', example: 'python-nova' })
  @ApiQueryInput(BUILDS, ['package'])
  @ApiOkResponse({ schema: BUILD_PAGE_SCHEMA })
  @ApiBadRequestResponse(errors)
  @ApiNotFoundResponse(errors)
  @ApiAsOf()
  async packageBuilds(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const input = readInput(request, BUILDS);
    const at = await this.timeTravel.of(request, reply);
    const page = await this.cachedByInput(
      `package-builds:${JSON.stringify([name, input])}`,
      async () => {
        const found = await this.queries.execute(new PackageQuery(name, at?.position ?? null));
        if (found === null) throw notFound(`package ${name}`);
        return this.buildPage({ ...input, package: name }, `/api/packages/${encodeURIComponent(name)}/builds`, at);
      },
      at,
    );
    return this.withLink(page, reply);
  }

  @Get('builds')
  @ApiOperation({
    summary: 'The build timeline, newest result first, in cursor pages',
    description:
      'Follow `next` (also in the `Link` header) for older builds. Pages are cut at result positions, which new ' +
      'builds never reuse: a page never skips or repeats a build while new ones land.',
  })
  @ApiQueryInput(BUILDS)
  @ApiOkResponse({ schema: BUILD_PAGE_SCHEMA })
  @ApiBadRequestResponse(errors)
  @ApiAsOf()
  async builds(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, BUILDS);
    const at = await this.timeTravel.of(request, reply);
    const page = await this.cachedByInput(
      `builds:${JSON.stringify(input)}`,
      () => this.buildPage(input, '/api/builds', at),
      at,
    );
    return this.withLink(page, reply);
  }

  @Get(`builds/${BUILD_ID}`)
  @ApiOperation({ summary: 'One build attempt, with links to its repo, log, events and page' })
  @ApiParam({ name: 'id', description: 'Build id (UUID)' })
  @ApiOkResponse({ schema: BUILD_SCHEMA })
  @ApiNotFoundResponse(errors)
  async build(@Param('id') id: string, @Req() request: FastifyRequest) {
    return this.cachedFor(request, `build:${id}`, async () => {
      const doc = await this.queries.execute(new BuildQuery(id));
      if (doc === null) throw notFound(`build ${id}`);
      return buildResource(doc, this.links);
    });
  }

  @Get(`builds/${BUILD_ID}/events`)
  @ApiOperation({ summary: "The events of the build's commit stream (discovery, claims, results…), for audit" })
  @ApiParam({ name: 'id', description: 'Build id (UUID)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { events: { type: 'array', items: EVENT_SCHEMA } } } })
  @ApiNotFoundResponse(errors)
  async buildEvents(@Param('id') id: string, @Req() request: FastifyRequest) {
    return this.cachedFor(request, `build-events:${id}`, async () => {
      const found = await this.queries.execute(new BuildEventsQuery(id));
      if (found === null) throw notFound(`build ${id}`);
      return {
        stream: found.stream,
        events: found.events.map((e) => eventAnswer(e)),
      };
    });
  }

  @Get('failures')
  @ApiOperation({ summary: 'Packages whose last build failed, oldest breakage first (the triage view)' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { failures: { type: 'array', items: PACKAGE_SCHEMA } } },
  })
  async failures(@Req() request: FastifyRequest) {
    return this.cachedFor(request, 'failures', async (now) => ({
      failures: (await this.queries.execute(new FailuresQuery())).map((p) => packageResource(p, this.links, now)),
    }));
  }

  @Get('queue')
  @ApiOperation({ summary: 'Commits discovered and not built yet (waiting or building), in build order' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        queue: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              package: { type: 'string' },
              commit_hash: { type: 'string' },
              distro_hash: { type: 'string' },
              extended_hash: { type: 'string', nullable: true },
              dt_commit: { type: 'integer' },
              commit_branch: { type: 'string' },
              component: { type: 'string', nullable: true },
              state: { type: 'string', enum: ['waiting', 'building'] },
              build_id: { type: 'string', nullable: true },
              builder_id: { type: 'string', nullable: true },
              retries: { type: 'integer' },
              queued_at: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
    },
  })
  async queue(@Req() request: FastifyRequest) {
    return this.cachedFor(request, 'queue', async () => ({
      queue: (await this.queries.execute(new QueueQuery())).map((q) => ({
        package: q.package,
        commit_hash: q.commitHash,
        distro_hash: q.distroHash,
        extended_hash: q.extendedHash,
        dt_commit: q.dtCommit,
        commit_branch: q.commitBranch,
        component: q.component,
        state: q.state,
        build_id: q.buildId,
        builder_id: q.builderId,
        retries: q.retries,
        queued_at: q.queuedAt,
      })),
    }));
  }

  @Get('repos/:ref')
  @ApiOperation({
    summary: 'What a repository holds (versions.csv as JSON), its votes and promotions',
    description: '`ref` is `current`, `consistent`, a promotion name, or a repo hash `<commit>_<distro[0:8]>`.',
  })
  @ApiParam({ name: 'ref', example: 'current' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        ref: { type: 'string' },
        repo_dir: { type: 'string' },
        repo_hash: { type: 'string' },
        repo_url: { type: 'string', nullable: true },
        build: BUILD_SCHEMA,
        pointers: { type: 'array', items: { type: 'string' }, example: ['current', 'tripleo-ci-testing'] },
        contents: {
          type: 'array',
          nullable: true,
          description: 'versions.csv rows (null once purged)',
          items: { type: 'object', additionalProperties: { type: 'string' } },
        },
        votes: { type: 'array', items: VOTE_SCHEMA },
        promotions: { type: 'array', items: PROMOTION_SCHEMA },
      },
    },
  })
  @ApiNotFoundResponse(errors)
  @ApiAsOf()
  async repo(
    @Param('ref') ref: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const at = await this.timeTravel.of(request, reply);
    return this.cachedFor(
      request,
      `repo:${ref}`,
      async () => {
        const found = await this.queries.execute(new RepoQuery(ref, at?.position ?? null));
        if (found === null) throw notFound(`repository ${ref}`);
        const { build, pointers, contents, votes, promotions } = found;
        const resource = buildResource(build, this.links);
        return {
          ref,
          repo_dir: build.repoDir,
          repo_hash: resource.repo_hash,
          repo_url: resource.repo_url,
          build: resource,
          pointers: pointers.map((p) => p.name),
          contents,
          votes: votes.map(voteAnswer),
          promotions: promotions.map((p) => promotionAnswer(p, this.links.baseurl)),
        };
      },
      at,
    );
  }

  @Get('status/badge/:file')
  @ApiOperation({ summary: "A package's status badge: SVG, or JSON when the client accepts application/json" })
  @ApiParam({ name: 'file', example: 'python-nova.svg' })
  @ApiProduces('image/svg+xml', 'application/json')
  @ApiOkResponse({ description: 'SVG badge, or `{"package": …, "status": …}`' })
  @ApiNotFoundResponse(errors)
  async badge(
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const name = file.endsWith('.svg') ? file.slice(0, -4) : file;
    const json =
      /application\/json/.test(request.headers.accept ?? '') && !/image\/svg/.test(request.headers.accept ?? '');
    const status = await this.views.cached(`badge:${name}`, async () => {
      const doc = await this.queries.execute(new PackageQuery(name));
      if (doc === null) throw notFound(`package ${name}`);
      return doc.status ?? 'NO_BUILD';
    });
    void reply.header('vary', 'Accept');
    if (json) return { package: name, status };
    void reply.header('content-type', 'image/svg+xml; charset=utf-8');
    return statusBadgeSvg(name, status);
  }

  /**
   * The answer at the current views position, minute-precise for "days since". `key` names the
   * route and its validated input only (`readInput`'s): unknown parameters, spellings of the same
   * input and JSON bodies (read instead of the query string) share one entry.
   */
  private cachedByInput<T>(key: string, compute: (now: number) => Promise<T>, at: TimePoint | null = null): Promise<T> {
    // As of a past moment (`at`): cached under its position, "now" its recording time.
    return this.timeTravel.cached(at, `res:${key}`, compute, (now) => `${Math.floor(now / 60)}:`);
  }

  /** As `cachedByInput`, for routes that read no query string (`as_of` aside): others are unknown input. */
  private cachedFor<T>(
    request: FastifyRequest,
    key: string,
    compute: (now: number) => Promise<T>,
    at: TimePoint | null = null,
  ): Promise<T> {
    if (request.url.includes('?')) markUnknownInput(request);
    return this.cachedByInput(key, compute, at);
  }

  private async buildPage(input: BuildsInput, path: string, at: TimePoint | null = null) {
    const builds = await this.queries.execute(
      new BuildTimelineQuery(
        {
          package: input.package,
          status: input.status,
          component: input.component,
          commitHash: input.commit_hash,
          since: input.since,
          until: input.until,
          before: input.cursor,
          limit: input.limit,
        },
        at?.position ?? null,
      ),
    );
    const last = builds[builds.length - 1];
    let next: string | null = null;
    if (builds.length === input.limit && last?.completedPosition != null) {
      next = nextPageHref(path, input, encodeCursor(last.completedPosition));
      // The next page of the same moment.
      if (at !== null) next += `${next.includes('?') ? '&' : '?'}as_of=${at.position}`;
    }
    return { builds: builds.map((b): BuildResource => buildResource(b, this.links)), next };
  }

  private withLink<T extends { next: string | null }>(page: T, reply: FastifyReply): T {
    if (page.next !== null) void reply.header('link', `<${page.next}>; rel="next"`);
    return page;
  }
}
