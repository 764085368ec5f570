import {
  execute,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
} from 'graphql';
import { DlrnGraphqlReader, type GraphqlReads } from './dlrn-graphql.reader.js';
import { dlrnGraphqlSchema } from './dlrn-graphql.schema.js';
import type { GraphqlContext } from './dlrn-graphql.types.js';
import { maxDepthRule } from './max-depth.rule.js';

/** Longest query document accepted (DLRN's own queries are a few hundred characters). */
export const MAX_QUERY_CHARS = 16 * 1024;
/** Tokens the parser reads before giving up (a cheap bound on parsing work). */
export const MAX_QUERY_TOKENS = 4000;
/** Levels of nested fields: `civote { commit { civotes { edges { node { ciName } } } } }` is 6. */
export const MAX_QUERY_DEPTH = 6;

/** What the HTTP layer took from a request (graphql-over-http's parameters). */
export interface GraphqlParams {
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>> | null;
  readonly operationName: string | null;
}

/** A GraphQL response and the HTTP status it goes with. */
export interface GraphqlAnswer {
  readonly status: number;
  readonly body: { readonly data?: unknown; readonly errors?: readonly GraphQLFormattedError[] };
}

const RULES = [...specifiedRules, maxDepthRule(MAX_QUERY_DEPTH)];

/** A request error (HTTP 4xx, no `data`), as graphql-over-http and flask-graphql answer them. */
export function requestError(status: number, message: string): GraphqlAnswer {
  return { status, body: { errors: [{ message }] } };
}

/**
 * Runs DLRN's GraphQL queries over the projections: parse and validation errors answer 400 with
 * `errors` only; a document that runs answers 200 with `data` (and `errors` for the fields that
 * failed). Errors nobody expected are logged and reported as `Internal Server Error`.
 */
export class GraphqlExecutor {
  constructor(
    private readonly store: GraphqlReads,
    private readonly logUnexpected: (error: unknown) => void,
  ) {}

  async run(params: GraphqlParams): Promise<GraphqlAnswer> {
    if (params.query.length > MAX_QUERY_CHARS) {
      return requestError(413, `Query too large: more than ${MAX_QUERY_CHARS} characters`);
    }
    let document: DocumentNode;
    try {
      document = parse(params.query, { maxTokens: MAX_QUERY_TOKENS });
    } catch (error) {
      if (error instanceof GraphQLError) return { status: 400, body: { errors: [error.toJSON()] } };
      throw error;
    }
    const invalid = validate(dlrnGraphqlSchema, document, RULES);
    if (invalid.length > 0) return { status: 400, body: { errors: invalid.map((e) => e.toJSON()) } };
    const contextValue: GraphqlContext = { reader: new DlrnGraphqlReader(this.store) };
    const result = await execute({
      schema: dlrnGraphqlSchema,
      document,
      variableValues: params.variables,
      operationName: params.operationName,
      contextValue,
    });
    const errors = result.errors?.map((e) => this.format(e));
    // No `data`: the operation never ran (unknown operation, bad variables, a mutation).
    if (result.data === undefined || result.data === null) return { status: 400, body: { errors: errors ?? [] } };
    return { status: 200, body: errors ? { data: result.data, errors } : { data: result.data } };
  }

  private format(error: GraphQLError): GraphQLFormattedError {
    const cause = error.originalError;
    if (cause === undefined || cause instanceof GraphQLError) return error.toJSON();
    this.logUnexpected(cause);
    return { ...error.toJSON(), message: 'Internal Server Error' };
  }
}
