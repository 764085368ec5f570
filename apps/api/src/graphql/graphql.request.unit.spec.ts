import { describe, expect, it } from 'vitest';
import { GraphqlRequestError, graphqlParams } from './graphql.request.js';

const QUERY = '{ commits { component projectName } }';
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphqlRequestError) return [error.status, error.message];
    throw error;
  }
  return null;
};

describe('the parameters of a GraphQL request', () => {
  it('come from the query string of a GET, variables as JSON', () => {
    expect(
      graphqlParams({ contentType: undefined, query: { query: QUERY, variables: '{"n":1}' }, body: undefined }),
    ).toEqual({
      query: QUERY,
      variables: { n: 1 },
      operationName: null,
    });
  });

  it("come from a JSON body, a form body (DLRN's curl -d example) or an application/graphql body", () => {
    const expected = { query: QUERY, variables: null, operationName: null };
    expect(graphqlParams({ contentType: 'application/json', query: {}, body: { query: QUERY } })).toEqual(expected);
    expect(
      graphqlParams({ contentType: 'application/x-www-form-urlencoded', query: {}, body: { query: QUERY } }),
    ).toEqual(expected);
    expect(graphqlParams({ contentType: 'application/graphql; charset=utf-8', query: {}, body: QUERY })).toEqual(
      expected,
    );
  });

  it('take the query string first, and the first of repeated keys, as Flask does', () => {
    const params = graphqlParams({
      contentType: 'application/json',
      query: { query: ['{ a }', '{ b }'], operationName: 'Op' },
      body: { query: '{ c }', variables: { x: 1 } },
    });
    expect(params).toEqual({ query: '{ a }', variables: { x: 1 }, operationName: 'Op' });
  });

  describe('when there is no usable query', () => {
    it('refuse it with flask-graphql messages', () => {
      expect(refusal(() => graphqlParams({ contentType: undefined, query: {}, body: undefined }))).toEqual([
        400,
        'Must provide query string.',
      ]);
      expect(refusal(() => graphqlParams({ contentType: 'text/plain', query: {}, body: QUERY }))).toEqual([
        400,
        'Must provide query string.',
      ]);
      expect(refusal(() => graphqlParams({ contentType: 'application/json', query: {}, body: { query: 42 } }))).toEqual(
        [400, 'Must provide query string.'],
      );
      expect(
        refusal(() => graphqlParams({ contentType: 'application/json', query: {}, body: [{ query: QUERY }] })),
      ).toEqual([400, 'Batch GraphQL requests are not enabled.']);
      for (const variables of ['{', '[1]', '3']) {
        expect(
          refusal(() => graphqlParams({ contentType: undefined, query: { query: QUERY, variables }, body: undefined })),
        ).toEqual([400, 'Variables are invalid JSON.']);
      }
    });
  });
});
