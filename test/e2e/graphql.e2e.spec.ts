import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT, createApiApp } from '../../apps/api/src/api.app.js';
import { GraphqlModule } from '../../apps/api/src/graphql/graphql.module.js';
import { hashOf, projectedViews, seedGraphqlHistory } from '../support/graphql.fixtures.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { userStreamId } from '#domain/user/user.events.js';
import { hashPassword } from '#infrastructure/auth/password-hasher.js';
import { loadProjectsIni, type DlrnConfig } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { CoreModule } from '#infrastructure/nest/core.module.js';
import { ReadModelModule } from '#infrastructure/nest/read-model.module.js';

const CI = { authorization: `Basic ${Buffer.from('ci:s3cret').toString('base64')}` };
const DOC_QUERY = '{ commits { component projectName } }';

/** A DLRN history appended to an SQLite event store, projected, and a config naming both stores. */
async function seededConfig(dir: string): Promise<DlrnConfig> {
  cpSync('test/fixtures/config/seed-flock2017', dir, { recursive: true });
  appendFileSync(
    join(dir, 'projects.ini'),
    `\n[service]\nevent_store=sqlite:///${join(dir, 'events.sqlite')}\nread_model_store=sqlite:///${join(dir, 'views.sqlite')}\n`,
  );
  const views = await projectedViews(dir, async (file) => {
    const events = new SqliteEventStore(file);
    await seedGraphqlHistory(events);
    const deps = { ids: new UuidV7IdGenerator(), clock: new SystemClock(), schemaVersion: schemaVersionOf };
    const context = { correlationId: 'graphql-e2e', causationId: null, actor: 'test' };
    const user = { type: 'UserCreated', data: { username: 'ci', passwordHash: await hashPassword('s3cret') } };
    await events.append(userStreamId('ci'), stampEvents([user], context, deps));
    await events.close();
  });
  await views.close();
  return loadProjectsIni(join(dir, 'projects.ini'));
}

/** Just the GraphQL module over the configured stores, parsing bodies as createApiApp does. */
async function graphqlApp(config: DlrnConfig): Promise<NestFastifyApplication> {
  @Module({
    imports: [CoreModule.forRoot(config), ReadModelModule.forRoot(config), CqrsModule.forRoot(), GraphqlModule],
  })
  class GraphqlTestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(
    GraphqlTestModule,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT }),
    { logger: false },
  );
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.init();
  await fastify.ready();
  return app;
}

describe("DLRN's GraphQL endpoint over HTTP", () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-graphql-e2e-'));
  let config: DlrnConfig;
  let app: NestFastifyApplication;

  const get = (query: string) => app.inject({ method: 'GET', url: `/api/graphql?query=${encodeURIComponent(query)}` });
  const data = async (query: string) => {
    const response = await get(query);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ data: Record<string, Record<string, unknown>[]> }>().data;
  };

  beforeAll(async () => {
    config = await seededConfig(dir);
    app = await graphqlApp(config);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("the documentation's query", () => {
    it('answers a GET with the braces escaped, as curl sends it', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/api/graphql?query=%7Bcommits%7Bcomponent%20projectName%7D%7D',
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.json<{ data: { commits: Record<string, unknown>[] } }>();
      expect(Object.keys(body)).toEqual(['data']);
      expect(body.data.commits).toHaveLength(12);
      expect(body.data.commits[0]).toEqual({ component: 'tripleo', projectName: 'puppet-apache' });
    });

    it('answers a GET with the raw braces and blanks a browser sends', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/api/graphql?query={ commits { component projectName } }',
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<{ data: { commits: unknown[] } }>().data.commits).toHaveLength(12);
    });

    it("answers the same to a POSTed form (DLRN's curl -d example) and to a POSTed JSON body", async () => {
      const expected = (await get(DOC_QUERY)).json();
      const form = await app.inject({
        method: 'POST',
        url: '/api/graphql',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `query=${DOC_QUERY}`,
      });
      expect([form.statusCode, form.json()]).toEqual([200, expected]);
      const json = await app.inject({
        method: 'POST',
        url: '/api/graphql',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          query: 'query Q($p: String) { commits(projectName: $p) { projectName } }',
          variables: { p: 'python-alembic' },
        }),
      });
      expect([json.statusCode, json.json()]).toEqual([
        200,
        { data: { commits: [{ projectName: 'python-alembic' }, { projectName: 'python-alembic' }] } },
      ]);
      const graphql = await app.inject({
        method: 'POST',
        url: '/api/graphql',
        headers: { 'content-type': 'application/graphql' },
        payload: DOC_QUERY,
      });
      expect([graphql.statusCode, graphql.json()]).toEqual([200, expected]);
    });
  });

  describe("DLRN's test queries", () => {
    it('lists commits, filtered and paged, with only the fields asked for', async () => {
      expect((await data('query { commits(projectName: "python-alembic") { id } }')).commits).toHaveLength(2);
      expect((await data('query { commits(offset: 2) { id } }')).commits).toHaveLength(10);
      expect((await data('query { commits(extendedHash: "1234567890_%") { id } }')).commits).toHaveLength(1);
      const [stdlib] = (await data('query { commits(projectName: "puppet-stdlib") { status component commitHash } }'))
        .commits!;
      expect(stdlib).toEqual({ status: 'SUCCESS', component: 'tripleo', commitHash: hashOf('stdlib-2') });
    });

    it('lists civotes by CI name, with their commit id', async () => {
      const votes = (
        await data(
          'query { civote(ciName: "current-passed-ci") { commitId ciName ciVote ciInProgress timestamp user } }',
        )
      ).civote!;
      expect(votes.map((v) => [v.ciName, v.ciVote, v.ciInProgress, v.user])).toEqual([
        ['current-passed-ci', false, true, 'foo'],
        ['current-passed-ci', true, false, 'ci'],
      ]);
      expect(typeof votes[0]!.commitId).toBe('number');
      expect((await data(`query { civote(commitId: ${votes[0]!.commitId as number}) { id } }`)).civote).toHaveLength(2);
    });

    it('lists the votes on the last aggregate hash', async () => {
      expect((await data('query { civoteAgg(lastRefHash: true) { refHash ciName ciVote } }')).civoteAgg).toEqual([
        { refHash: 'abcdef12', ciName: 'phase1-ci', ciVote: true },
      ]);
      const votes = (
        await data(
          'query { civoteAgg(refHash: "12345678") { id refHash ciName ciUrl ciVote ciInProgress timestamp notes } }',
        )
      ).civoteAgg!;
      expect(votes).toHaveLength(2);
      expect(votes[0]).toMatchObject({ refHash: '12345678', ciName: 'phase2-ci', ciVote: false, notes: '' });
      expect(votes[0]).not.toHaveProperty('user');
    });

    it('gives the status of a package', async () => {
      expect(
        (await data('query { packageStatus(projectName: "python-alembic") { id projectName status lastSuccess } }'))
          .packageStatus,
      ).toEqual([{ id: '0', projectName: 'python-alembic', status: 'SUCCESS', lastSuccess: null }]);
      const [apache] = (await data('{ packageStatus(projectName: "puppet-apache") { status firstFailureCommit } }'))
        .packageStatus!;
      expect(apache).toEqual({ status: 'RETRY', firstFailureCommit: hashOf('apache-2') });
    });

    it('answers 400 with GraphQL errors to unknown fields and arguments', async () => {
      for (const query of [
        '{ foo { id } }',
        'query { commits(projectFoo: "python-alembic") { id } }',
        'query { civote(commitId: "TextnotInt") { id } }',
      ]) {
        const response = await get(query);
        expect(response.statusCode, query).toBe(400);
        const body = response.json<{ errors: { message: string }[] }>();
        expect(Object.keys(body), query).toEqual(['errors']);
        expect(typeof body.errors[0]!.message).toBe('string');
      }
      const none = await app.inject({ method: 'GET', url: '/api/graphql' });
      expect([none.statusCode, none.json()]).toEqual([400, { errors: [{ message: 'Must provide query string.' }] }]);
      const huge = await get(`{ commits { id } } # ${'x'.repeat(20_000)}`);
      expect(huge.statusCode).toBe(413);
    });
  });
});

describe('/api/graphql with protect_read_endpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-graphql-auth-'));
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const config = await seededConfig(dir);
    app = await createApiApp(
      { ...config, service: { ...config.service, protectReadEndpoints: true } },
      { logLevel: 'silent' },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('requires credentials on GET and POST, unlike DLRN, and answers with them', async () => {
    const requests = [
      { method: 'GET' as const, url: `/api/graphql?query=${encodeURIComponent(DOC_QUERY)}` },
      {
        method: 'POST' as const,
        url: '/api/graphql',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ query: DOC_QUERY }),
      },
    ];
    for (const request of requests) {
      const anonymous = await app.inject(request);
      expect([anonymous.statusCode, anonymous.body], request.method).toEqual([401, 'Unauthorized Access']);
      const user = await app.inject({
        ...request,
        headers: { ...('headers' in request ? request.headers : {}), ...CI },
      });
      expect(user.statusCode, request.method).toBe(200);
      expect(user.json<{ data: { commits: unknown[] } }>().data.commits).toHaveLength(12);
    }
  });

  it('is described in the OpenAPI document, both methods', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { tags?: string[] }>>;
    }>();
    expect(document.paths['/api/graphql']?.get?.tags).toEqual(['graphql']);
    expect(document.paths['/api/graphql']?.post?.tags).toEqual(['graphql']);
  });
});
