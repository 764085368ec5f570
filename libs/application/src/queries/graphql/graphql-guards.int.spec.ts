import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReadModelStore } from '#domain/projections/index.js';
import { writeSyntheticLog } from '../../../../../test/support/synthetic-log.js';
import { GraphqlExecutor } from './graphql.executor.js';
import { projectedViews } from '../../../../../test/support/graphql.fixtures.js';

interface Answer {
  readonly status: number;
  readonly data: Record<string, unknown> | undefined;
  readonly errors: { message: string }[] | undefined;
}

describe('the GraphQL guards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-graphql-guards-'));
  const unexpected = vi.fn();
  let views: ReadModelStore;
  let executor: GraphqlExecutor;

  const run = async (query: string): Promise<Answer> => {
    const answer = await executor.run({ query, variables: null, operationName: null });
    const body = JSON.parse(JSON.stringify(answer.body)) as Omit<Answer, 'status'>;
    return { status: answer.status, data: body.data, errors: body.errors };
  };

  beforeAll(async () => {
    views = await projectedViews(dir);
    executor = new GraphqlExecutor(views, unexpected);
  });
  afterAll(async () => {
    await views?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses queries nested deeper than 6 levels, but not introspection', async () => {
    const deep = await run('{ civote { commit { civotes { edges { node { commit { id } } } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.errors![0]!.message).toBe('Query is too deep: 7 levels of fields, at most 6');
    const ok = await run('{ civote { commit { civotes { edges { node { ciName } } } } } }');
    expect(ok.status).toBe(200);
    const introspection = await run(
      '{ __schema { types { name fields { type { ofType { ofType { ofType { name } } } } } } } }',
    );
    expect(introspection.status).toBe(200);
  });

  it('answers 400 without data when the operation cannot run', async () => {
    const refused = async (query: string, variables: Record<string, unknown> | null, operationName: string | null) => {
      const answer = await executor.run({ query, variables, operationName });
      expect(answer.body.data, query).toBeUndefined();
      return [answer.status, answer.body.errors![0]!.message];
    };
    expect(await refused('mutation { commits }', null, null)).toEqual([
      400,
      'Schema is not configured to execute mutation operation.',
    ]);
    expect(await refused('query A { commits { id } }', null, 'B')).toEqual([400, 'Unknown operation named "B".']);
    expect(await refused('query($n: Int) { commits(limit: $n) { id } }', { n: 'x' }, null)).toEqual([
      400,
      'Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"',
    ]);
  });

  it('stops a request past its read budget', async () => {
    // Each alias reads the commits, then the votes of each voted one: about ten reads.
    const aliases = Array.from({ length: 80 }, (_, i) => `a${i}: commits { civotes { edges { cursor } } }`).join(' ');
    const answer = await run(`{ ${aliases} }`);
    expect(answer.status).toBe(200);
    expect(answer.errors![0]!.message).toMatch(/^Query too expensive/);
  });

  it('reports unexpected failures without their details, and logs them', async () => {
    const broken = new GraphqlExecutor(
      {
        find: () => Promise.reject(new Error('SQLITE_CORRUPT: secret path')),
        get: () => Promise.reject(new Error('SQLITE_CORRUPT: secret path')),
      },
      unexpected,
    );
    const answer = await broken.run({ query: '{ commits { id } }', variables: null, operationName: null });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toEqual([
      { message: 'Internal Server Error', locations: [{ line: 1, column: 3 }], path: ['commits'] },
    ]);
    expect(unexpected).toHaveBeenCalledWith(expect.objectContaining({ message: 'SQLITE_CORRUPT: secret path' }));
  });
});

describe('commits over more than a page of builds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-graphql-page-'));
  let views: ReadModelStore;
  let executor: GraphqlExecutor;

  beforeAll(async () => {
    views = await projectedViews(dir, (file) => void writeSyntheticLog(file, { builds: 150, packages: 5 }));
    executor = new GraphqlExecutor(views, () => undefined);
  });
  afterAll(async () => {
    await views?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never answers more than 100 items, whatever the limit', async () => {
    const rows = async (query: string) => {
      const answer = await executor.run({ query, variables: null, operationName: null });
      return (answer.body.data as { commits: unknown[] }).commits;
    };
    expect(await rows('{ commits { id } }')).toHaveLength(100);
    expect(await rows('{ commits(limit: 1000) { id } }')).toHaveLength(100);
    expect((await rows('{ commits(offset: 100, limit: 100) { id } }')).length).toBeGreaterThan(0);
  });
});
