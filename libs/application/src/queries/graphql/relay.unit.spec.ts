import { describe, expect, it } from 'vitest';
import { GraphqlQueryError } from './graphql.errors.js';
import { connectionOf, fromGlobalId, toGlobalId } from './relay.js';

const cursor = (i: number) => Buffer.from(`arrayconnection:${i}`).toString('base64');

describe('Relay global IDs', () => {
  it('encode the type and id as graphene does, and decode back', () => {
    expect(toGlobalId('Commit', 5627)).toBe('Q29tbWl0OjU2Mjc=');
    expect(fromGlobalId('Q29tbWl0OjU2Mjc=')).toEqual({ type: 'Commit', id: '5627' });
  });

  it('refuse what is not one', () => {
    expect(() => fromGlobalId('not base64 at all')).toThrow(GraphqlQueryError);
    expect(() => fromGlobalId(Buffer.from('nocolon').toString('base64'))).toThrow(/Unable to parse global ID/);
  });
});

describe('a connection over a list', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  const nodes = (c: ReturnType<typeof connectionOf<string>>) => c.edges.map((e) => e.node);

  it('gives at most the maximum when no page size is asked', () => {
    const connection = connectionOf(items, {}, 3);
    expect(nodes(connection)).toEqual(['a', 'b', 'c']);
    expect(connection.pageInfo).toEqual({
      startCursor: cursor(0),
      endCursor: cursor(2),
      hasPreviousPage: false,
      hasNextPage: true,
    });
  });

  it('pages forward after a cursor and backward before one', () => {
    expect(nodes(connectionOf(items, { first: 2, after: cursor(1) }, 100))).toEqual(['c', 'd']);
    const back = connectionOf(items, { last: 2, before: cursor(4) }, 100);
    expect(nodes(back)).toEqual(['c', 'd']);
    expect(back.pageInfo.hasPreviousPage).toBe(true);
  });

  it('caps first and last at the maximum', () => {
    expect(nodes(connectionOf(items, { first: 1000 }, 2))).toEqual(['a', 'b']);
    expect(nodes(connectionOf(items, { last: 1000 }, 2))).toEqual(['d', 'e']);
  });

  it('refuses a negative page size', () => {
    expect(() => connectionOf(items, { first: -1 }, 100)).toThrow('Argument "first" must be a non-negative integer');
  });
});
