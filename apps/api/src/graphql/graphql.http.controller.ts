import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MAX_QUERY_CHARS,
  MAX_QUERY_DEPTH,
  requestError,
  type GraphqlAnswer,
} from '#application/queries/graphql/graphql.executor.js';
import { GraphqlQuery } from '#application/queries/graphql/graphql.query.js';
import { GraphqlRequestError, graphqlParams } from './graphql.request.js';

const EXAMPLE_QUERY = '{ commits(projectName: "python-nova", limit: 2) { id commitHash status } }';
const ERRORS_SCHEMA = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          message: { type: 'string', example: 'Cannot query field "foo" on type "Query".' },
          locations: {
            type: 'array',
            items: { type: 'object', properties: { line: { type: 'integer' }, column: { type: 'integer' } } },
          },
        },
      },
    },
  },
};
const OK = {
  description: 'The GraphQL response: `data`, and `errors` for fields that failed',
  schema: {
    type: 'object',
    properties: { data: { type: 'object', nullable: true }, errors: ERRORS_SCHEMA.properties.errors },
    example: {
      data: {
        commits: [
          { id: 'Q29tbWl0OjQy', commitHash: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf', status: 'SUCCESS' },
          { id: 'Q29tbWl0OjQx', commitHash: '93eee77657978547f5fad1cb8cd30b570da83e68', status: 'FAILED' },
        ],
      },
    },
  },
};
const BAD = {
  description: 'No query, a query that does not parse or validate, variables that are not JSON',
  schema: ERRORS_SCHEMA,
};
const TOO_LARGE = { description: `A query longer than ${MAX_QUERY_CHARS} characters`, schema: ERRORS_SCHEMA };
const DESCRIPTION =
  "DLRN's GraphQL API: `commits`, `civote`, `civoteAgg`, `packageStatus` and Relay's `node`, newest first, " +
  `at most 100 items per list. Queries nest at most ${MAX_QUERY_DEPTH} levels of fields. ` +
  'A read: it needs credentials when `protect_read_endpoints` is set. See docs/dlrn-compatibility.md.';

/** `/api/graphql`, GET and POST, as DLRN serves it (flask-graphql). */
@ApiTags('graphql')
@Controller('api')
// Both methods are reads for the auth hook (auth/route-policy.ts). Answers are GraphQL
// responses, errors included: no DlrnHttpError here.
export class GraphqlHttpController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get('graphql')
  @ApiOperation({ summary: 'Run a GraphQL query given in the query string', description: DESCRIPTION })
  @ApiQuery({ name: 'query', required: true, description: 'The GraphQL document', example: EXAMPLE_QUERY })
  @ApiQuery({ name: 'variables', required: false, description: 'Variables, a JSON object', example: '{"n": 5}' })
  @ApiQuery({ name: 'operationName', required: false, description: 'Operation to run when the document has several' })
  @ApiOkResponse(OK)
  @ApiBadRequestResponse(BAD)
  @ApiPayloadTooLargeResponse(TOO_LARGE)
  async get(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(request, reply);
  }

  @Post('graphql')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a GraphQL query given in the body (JSON, form fields, or application/graphql)',
    description: `${DESCRIPTION} The query string's \`query\`, \`variables\` and \`operationName\` are read first.`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['query'],
      properties: {
        query: { type: 'string', example: EXAMPLE_QUERY },
        variables: { type: 'object', nullable: true, description: 'Or a JSON string', example: {} },
        operationName: { type: 'string', nullable: true },
      },
    },
  })
  @ApiOkResponse(OK)
  @ApiBadRequestResponse(BAD)
  @ApiPayloadTooLargeResponse(TOO_LARGE)
  async post(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(request, reply);
  }

  private async answer(request: FastifyRequest, reply: FastifyReply): Promise<GraphqlAnswer['body']> {
    let answer: GraphqlAnswer;
    try {
      const params = graphqlParams({
        contentType: request.headers['content-type'],
        query: request.query,
        body: request.body,
      });
      answer = await this.queries.execute(new GraphqlQuery(params));
    } catch (error) {
      if (!(error instanceof GraphqlRequestError)) throw error;
      answer = requestError(error.status, error.message);
    }
    void reply.status(answer.status);
    return answer.body;
  }
}
