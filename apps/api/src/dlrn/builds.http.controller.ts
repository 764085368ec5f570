import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiServiceUnavailableResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiBodyInput, ApiQueryInput } from '../http/api-input.js';
import { readInput, callerOf } from '../http/request-input.js';
import { markWritten } from '../http/log-position.js';
import { BuildCountsQuery } from '#application/build-metrics/build-counts.query.js';
import { PromotedComponentsQuery } from '#application/promotions/promoted-components.query.js';
import { RecheckPackageCommand } from '#application/recheck/recheck-package.handler.js';
import { ImportRemoteBuildCommand } from '#application/remote-import/import-remote-build.handler.js';
import { ViewVersion } from '../views/view-version.js';
import { METRICS, RECHECK_PACKAGE, REMOTE_IMPORT } from './dlrn-inputs.js';
import { answering } from './dlrn-refusals.js';
import { ERROR_SCHEMA } from './openapi-examples.js';

/** Build metrics, components, rechecking a package, importing remote builds. */
@ApiTags('builds')
@Controller('api')
export class BuildsHttpController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  @Get('metrics/builds')
  @ApiOperation({ summary: 'Successful and failed builds between two UTC dates (end day excluded, as DLRN)' })
  @ApiQueryInput(METRICS)
  @ApiOkResponse({
    description: 'Counts',
    schema: {
      type: 'object',
      properties: {
        succeeded: { type: 'integer', example: 120 },
        failed: { type: 'integer', example: 7 },
        total: { type: 'integer', example: 127 },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'Invalid date format, it must be YYYY-mm-dd', schema: ERROR_SCHEMA })
  async metrics(@Req() request: FastifyRequest) {
    const input = readInput(request, METRICS);
    return this.views.cached(
      `mb:${JSON.stringify([input.start_date, input.end_date, input.package_name])}`,
      async () => {
        const { succeeded, failed } = await this.queries.execute(
          new BuildCountsQuery(input.start_date, input.end_date, input.package_name),
        );
        return { succeeded, failed, total: succeeded + failed };
      },
    );
  }

  @Get('components')
  @ApiOperation({ summary: 'Components found in promotions, sorted' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { components: { type: 'array', items: { type: 'string' }, example: ['baremetal', 'tripleo'] } },
    },
  })
  async components() {
    return this.views.cached('components', async () => ({
      components: await this.queries.execute(new PromotedComponentsQuery()),
    }));
  }

  @Post('recheck_package')
  @HttpCode(201)
  @ApiBasicAuth()
  @ApiOperation({ summary: "Build a package's last failed commit again on the next pass" })
  @ApiBodyInput(RECHECK_PACKAGE)
  @ApiCreatedResponse({ schema: { type: 'object', properties: { result: { type: 'string', example: 'ok' } } } })
  @ApiBadRequestResponse({ description: 'No commit to recheck', schema: ERROR_SCHEMA })
  @ApiConflictResponse({ description: 'The last build succeeded', schema: ERROR_SCHEMA })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not application/json', schema: ERROR_SCHEMA })
  async recheckPackage(@Req() request: FastifyRequest) {
    // JSON only, unlike DLRN (which also reads a query string or form): a form is what a page on
    // another site can post with the browser's cached credentials, and a JSON content type is not.
    const input = readInput(request, RECHECK_PACKAGE, true);
    const { position } = await answering(
      this.commands.execute(new RecheckPackageCommand(input.package_name, callerOf(request))),
    );
    markWritten(request, position);
    if (position !== null) await this.views.waitFor(position);
    return { result: 'ok' };
  }

  @Post('remote/import')
  @HttpCode(201)
  @ApiBasicAuth()
  @ApiOperation({ summary: "Import a build made elsewhere from its hashed repo URL (DLRN's dlrn-remote)" })
  @ApiBodyInput(REMOTE_IMPORT)
  @ApiCreatedResponse({ schema: { type: 'object', properties: { repo_url: { type: 'string' } } } })
  @ApiBadRequestResponse({
    description:
      'Not an http(s) URL, or a host refused by [service] remote_import_allowed_hosts (loopback, link-local and private addresses unless listed; checked on every redirect)',
    schema: ERROR_SCHEMA,
  })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not application/json', schema: ERROR_SCHEMA })
  @ApiInternalServerErrorResponse({
    description:
      'Remote import failed with error: … (a download that failed, timed out past remote_import_timeout, or an RPM that failed verification, named)',
    schema: ERROR_SCHEMA,
  })
  @ApiServiceUnavailableResponse({
    description: 'Too many imports in progress, or shutting down',
    schema: ERROR_SCHEMA,
  })
  async remoteImport(@Req() request: FastifyRequest) {
    const input = readInput(request, REMOTE_IMPORT, true);
    const { position } = await answering(
      this.commands.execute(new ImportRemoteBuildCommand(input.repo_url, callerOf(request))),
    );
    markWritten(request, position);
    await this.views.waitFor(position);
    return { repo_url: input.repo_url };
  }
}
