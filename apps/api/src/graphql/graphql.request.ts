import type { GraphqlParams } from '#application/queries/graphql/graphql.executor.js';

/** A request that cannot be a GraphQL request; answered with `{"errors": [{"message"}]}`. */
export class GraphqlRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GraphqlRequestError';
  }
}

export interface RawGraphqlRequest {
  readonly contentType: string | undefined;
  /** The parsed query string. */
  readonly query: unknown;
  /** The parsed body: JSON or form fields (objects), other content types as text, or undefined. */
  readonly body: unknown;
}

type Fields = Readonly<Record<string, unknown>>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A query-string value as Flask's `args.get` reads it: the first of repeated keys. */
const firstOf = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

function bodyFields(contentType: string | undefined, body: unknown): Fields {
  if (Array.isArray(body)) throw new GraphqlRequestError(400, 'Batch GraphQL requests are not enabled.');
  if (isFields(body)) return body;
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (typeof body === 'string' && mediaType === 'application/graphql') return { query: body };
  return {};
}

function variablesOf(raw: unknown): Readonly<Record<string, unknown>> | null {
  if (raw === undefined || raw === null || raw === '') return null;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new GraphqlRequestError(400, 'Variables are invalid JSON.');
    }
  }
  if (value === null) return null;
  if (!isFields(value)) throw new GraphqlRequestError(400, 'Variables are invalid JSON.');
  return value;
}

/**
 * The GraphQL parameters of a GET or POST, read as flask-graphql (DLRN's server) reads them:
 * `query`, `variables` and `operationName` from the query string first, then from the body — a
 * JSON object, form fields (DLRN's documented `curl -d 'query=…'`), or an `application/graphql`
 * document. Variables may be a JSON string.
 */
export function graphqlParams(request: RawGraphqlRequest): GraphqlParams {
  const url = isFields(request.query) ? request.query : {};
  const body = bodyFields(request.contentType, request.body);
  const pick = (name: string): unknown => {
    const fromUrl = firstOf(url[name]);
    return fromUrl !== undefined && fromUrl !== '' ? fromUrl : body[name];
  };
  const query = pick('query');
  if (typeof query !== 'string' || query.trim() === '') {
    throw new GraphqlRequestError(400, 'Must provide query string.');
  }
  const operationName = pick('operationName');
  return {
    query,
    variables: variablesOf(pick('variables')),
    operationName: typeof operationName === 'string' && operationName !== '' ? operationName : null,
  };
}
