import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { isKnownEventType, schemaVersionOf } from '#domain/catalogue.js';
import { promotionStreamId } from '#domain/promotion/promotion.events.js';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import type { EventPayload } from '#domain/shared/event.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { userStreamId } from '#domain/user/user.events.js';
import { hashPassword } from '#infrastructure/auth/password-hasher.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { playHistory, type Step } from '../support/random-history.js';

/** random-history's hashes: commit `pkg*100+commit+1` in hex, one distro hash. */
const commitOf = (pkg: number, commit: number) => (pkg * 100 + commit + 1).toString(16).padStart(40, '0');
const DISTRO = 'd'.repeat(40);
const AGGREGATE = 'a9'.repeat(16);
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
const VALID = basic('ci:s3cret');

/** A few builds per package (the last of pkg-2 failed), votes, a claim, promotions, an aggregate vote. */
const HISTORY: Step[] = [
  ...[0, 1, 2].flatMap((pkg) =>
    [0, 1, 2].flatMap((commit): Step[] => [
      { kind: 'discover', pkg, commit },
      { kind: 'claim', pkg, commit, builder: 0 },
      {
        kind: 'finish',
        pkg,
        commit,
        outcome: pkg === 2 && commit === 2 ? 'failure' : 'success',
        failures: 0,
      },
    ]),
  ),
  { kind: 'vote', pkg: 0, commit: 1, job: 0, success: true, claim: false },
  { kind: 'vote', pkg: 0, commit: 1, job: 1, success: false, claim: false },
  { kind: 'vote', pkg: 1, commit: 0, job: 2, success: true, claim: true },
  { kind: 'promote', pkg: 0, commit: 1, name: 0 },
  { kind: 'promote', pkg: 1, commit: 0, name: 1 },
  { kind: 'aggvote', hash: 3, success: true },
];

const ENDPOINTS = [
  '/api/health',
  '/api/last_tested_repo',
  '/api/repo_status',
  '/api/agg_status',
  '/api/promotions',
  '/api/components',
  '/api/metrics/builds',
  '/api/report_result',
  '/api/promote',
  '/api/promote-batch',
  '/api/remote/import',
  '/api/recheck_package',
  '/api/civotes.html',
  '/api/civotes_detail.html',
  '/api/civotes_agg.html',
  '/api/civotes_agg_detail.html',
  '/api/report.html',
  '/api/status_report.html',
  '/api/status_report.csv',
  '/api/queue.html',
  '/api/builds/build.log',
  '/api/build/0190-x.html',
  '/api/builds',
  '/api/packages',
  '/api/packages/pkg-0',
  '/api/packages/pkg-0/builds',
  '/api/failures',
  '/api/queue',
  `/api/repos/${'0'.repeat(38)}66_${'d'.repeat(40)}`,
  '/api/graphql',
  '/api/events',
  '/api/bisect',
  '/api/diff',
  '/api/diff.html',
  '/api/ready',
  '/repos/',
  '/repos/current/',
  '/api/static/styles.css',
  '/api/openapi.json',
  '/metrics',
];
const TRICK_PATHS = [
  '/api/../etc/passwd',
  '/api/%2e%2e/%2e%2e/etc/passwd',
  '/api/%2E%2E%2Fpackage.json',
  '/api/static/..%2f..%2fpackage.json',
  '/api/builds/..%2f..%2f..%2fetc%2fpasswd',
  '/api/builds/%00',
  '/api/health%00',
  '/api/health/',
  '/API/HEALTH',
  '/api/promotions;limit=1',
  '/api/%',
  '/api/%zz',
  '/api/ünïcødé/☃',
  '/api/%F0%9F%92%A9',
  '/api/%C0%AE%C0%AE/etc/passwd',
  '/api/docs/../../package.json',
  '/api/docs/nothing-here',
  '/',
  '/favicon.ico',
  `/api/${'a'.repeat(5000)}`,
];
const KNOWN_KEYS = [
  'max_age',
  'success',
  'job_id',
  'sequential_mode',
  'previous_job_id',
  'component',
  'reporting_job_id',
  'commit_hash',
  'distro_hash',
  'extended_hash',
  'aggregate_hash',
  'promote_name',
  'offset',
  'limit',
  'start_date',
  'end_date',
  'package_name',
  'timestamp',
  'url',
  'notes',
  'repo_url',
  'ci_name',
  'ref_hash',
  'package',
  'query',
];

const weirdString = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '-0',
    '1.5',
    '1e309',
    '99999999999999999999999',
    '9007199254740993',
    'NaN',
    'Infinity',
    'true',
    'yes',
    'off',
    'None',
    'null',
    "' OR 1=1 --",
    '"; DROP TABLE builds; --',
    '%00',
    '\u0000',
    'a\u0000b',
    '../../etc/passwd',
    '..',
    '.',
    'current',
    'consistent',
    'a/b',
    'x'.repeat(300),
    '☃💩\u202e',
    '2026-02-30',
    '2026-01-01',
    '1970-1-1',
    'http://example.org/repo',
    'file:///etc/passwd',
    '{"a":1}',
    '[]',
    commitOf(0, 1),
    DISTRO,
    AGGREGATE,
    'pkg-2',
    'job-0',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, {}, [], [1, 2], {
    $gt: '',
  }),
  fc.integer(),
  fc.double(),
  fc.array(weirdString, { maxLength: 3 }),
  fc.dictionary(weirdString, weirdString, { maxKeys: 3 }),
);
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, { weight: 1, arbitrary: weirdString });
const reportBody = fc.oneof(
  fc.record({
    job_id: fc.constantFrom('job-0', 'fuzz'),
    url: fc.constant('https://ci.example.org/1'),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000 }),
    success: fc.boolean(),
    commit_hash: fc.constantFrom(commitOf(0, 1), commitOf(1, 0), commitOf(2, 2)),
    distro_hash: fc.constant(DISTRO),
  }),
  fc.record({
    job_id: fc.constant('fuzz'),
    url: fc.constant(''),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000 }),
    success: fc.boolean(),
    aggregate_hash: fc.constantFrom(AGGREGATE, 'unknown'),
  }),
);
const promoteBody = fc.record({
  commit_hash: fc.constantFrom(commitOf(0, 2), commitOf(1, 1), commitOf(2, 2)),
  distro_hash: fc.constant(DISTRO),
  promote_name: fc.oneof(
    fc.constantFrom('fuzz-ci', 'current', '..', 'a/b', '.hidden', 'x'.repeat(250), 'x'.repeat(255), 'x'.repeat(256)),
    weirdString,
  ),
});
const claimBody = fc.record({
  max_age: fc.constantFrom(0, 24),
  reporting_job_id: fc.constantFrom('fuzz', ''),
  job_id: fc.constantFrom('job-0', 'nobody'),
});
const recheckBody = fc.record({ package_name: fc.constantFrom('pkg-0', 'pkg-2', 'nope') });
/** Plausible inputs for the write endpoints, so some requests get past validation. */
const plausibleBody = fc.oneof(reportBody, promoteBody, claimBody, recheckBody);
const jsonBody = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(key, weirdValue, { maxKeys: 6 }) },
  { weight: 3, arbitrary: plausibleBody },
  { weight: 1, arbitrary: fc.array(fc.oneof(plausibleBody, weirdValue), { maxLength: 3 }) },
  { weight: 1, arbitrary: weirdValue },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);
const body: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: jsonBody.map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{', '{"a":', '[1,', 'nul', '{"max_age": 1,}', "{'a': 1}", '\u0000', '\ufeff{}', ''),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(key, weirdString), { maxLength: 5 })
      .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1024 * 1024 + 1, 3 * 1024 * 1024).map((n) => `{"notes":"${'x'.repeat(n)}"}`),
  },
);
const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/merge-patch+json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'text/plain',
    'text/html',
    'application/xml',
    '*/*',
    '',
    'application/json, text/plain',
    'APPLICATION/JSON',
  ),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/+;=-. '), maxLength: 30 }),
);
const authorization = fc.constantFrom(
  undefined,
  VALID,
  VALID,
  VALID,
  basic('ci:wrong'),
  basic('nobody:s3cret'),
  basic('ci'),
  basic(':'),
  'Basic !!!',
  'Basic',
  'Bearer abc',
  `Basic ${'A'.repeat(3000)}`,
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(key, weirdString, fc.boolean()), { maxLength: 6 })
    .map((pairs) =>
      pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&'),
    ),
  fc.constantFrom('max_age=0', 'max_age=0&job_id=job-0', `commit_hash=${commitOf(0, 1)}&distro_hash=${DISTRO}`),
  fc.constantFrom('a[b]=c', 'a[__proto__][x]=1', '__proto__=1', 'constructor=x', '&&&', '=', 'max_age', '%', '%zz=%zz'),
);

interface FuzzRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query: string;
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  /** Failed logins are limited per client and user: most requests come from their own address. */
  readonly client: string;
}

const client = fc.oneof({ weight: 1, arbitrary: fc.constant('127.0.0.1') }, { weight: 3, arbitrary: fc.ipV4() });

const randomRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'),
  path: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...ENDPOINTS) },
    { weight: 1, arbitrary: fc.constantFrom(...TRICK_PATHS) },
    { weight: 1, arbitrary: fc.webPath().map((p) => `/api${p}`) },
  ),
  query,
  body,
  contentType,
  authorization,
  client,
});

/** Well-formed writes by the CI user, some of them with one field spoilt: they reach the services. */
const aimedRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    fc.tuple(fc.constant('/api/report_result'), reportBody),
    fc.tuple(fc.constant('/api/promote'), promoteBody),
    fc.tuple(fc.constant('/api/promote-batch'), fc.array(promoteBody, { minLength: 1, maxLength: 3 })),
    fc.tuple(fc.constant('/api/last_tested_repo'), claimBody),
    fc.tuple(fc.constant('/api/recheck_package'), recheckBody),
  )
  .chain(([path, value]) =>
    fc.record({
      method: fc.constant('POST' as const),
      path: fc.constant(path),
      query: fc.constant(''),
      body: fc.oneof(
        { weight: 3, arbitrary: fc.constant(JSON.stringify(value)) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(key, weirdValue)
            .map(([k, v]) => JSON.stringify(Array.isArray(value) ? [...value, { [k]: v }] : { ...value, [k]: v })),
        },
      ),
      contentType: fc.constant('application/json'),
      authorization: fc.constant(VALID),
      client,
    }),
  );

/**
 * Password guessing on the writes from one address: a wrong method is refused (405) before the
 * credentials are read, so random requests alone rarely reach the login limits.
 */
const guessingRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constant('POST' as const),
  path: fc.constantFrom('/api/report_result', '/api/promote', '/api/recheck_package'),
  query: fc.constant(''),
  body: fc.constant('{}'),
  contentType: fc.constant('application/json'),
  authorization: fc.constantFrom(basic('ci:wrong'), basic('ci:guess'), basic('nobody:s3cret')),
  client: fc.constant('127.0.0.1'),
});

const fuzzRequest = fc.oneof(
  { weight: 10, arbitrary: randomRequest },
  { weight: 2, arbitrary: aimedRequest },
  { weight: 1, arbitrary: guessingRequest },
);

const describeRequest = (r: FuzzRequest) =>
  `${r.method} ${r.path}${r.query ? `?${r.query}` : ''} content-type=${JSON.stringify(r.contentType)} auth=${r.authorization === VALID ? 'valid' : JSON.stringify(r.authorization?.slice(0, 40))} body=${JSON.stringify(r.body?.slice(0, 200))}${(r.body?.length ?? 0) > 200 ? `… (${r.body!.length} chars)` : ''}`;

/**
 * Thousands of random, malformed and hostile requests against every DLRN endpoint: bad input is
 * always a 4xx with DLRN's error shape, never a 5xx, and only accepted writes append events.
 */
describe('the API under random requests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-api-fuzz-'));
  const eventsFile = join(dir, 'events.sqlite');
  let app: NestFastifyApplication;
  let events: SqliteEventStore;
  let engine: ProjectionEngine;
  let seededHead: number;
  const stopProjector = new AbortController();
  let projecting: Promise<void>;
  let closeViews: () => Promise<void>;

  beforeAll(async () => {
    cpSync('test/fixtures/config/seed-flock2017', dir, { recursive: true });
    // The repositories the builds published, as the build loop leaves them: promotions link to them.
    for (const pkg of [0, 1, 2]) {
      for (const commit of [0, 1, 2]) {
        const hash = commitOf(pkg, commit);
        mkdirSync(join(dir, 'rawhide-data', 'repos', hash.slice(0, 2), hash.slice(2, 4), `${hash}_dddddddd`), {
          recursive: true,
        });
      }
    }
    const viewsFile = join(dir, 'views.sqlite');
    appendFileSync(
      join(dir, 'projects.ini'),
      `\n[service]\nevent_store=sqlite:///${eventsFile}\nread_model_store=sqlite:///${viewsFile}\n`,
    );
    events = new SqliteEventStore(eventsFile);
    await playHistory(events, HISTORY);
    const context = { correlationId: 'fuzz-seed', causationId: null, actor: 'test' };
    const deps = { ids: new UuidV7IdGenerator(), clock: new SystemClock(), schemaVersion: schemaVersionOf };
    const seed = async (stream: string, payloads: EventPayload[]) =>
      events.append(stream, stampEvents(payloads, context, deps));
    await seed(userStreamId('ci'), [
      { type: 'UserCreated', data: { username: 'ci', passwordHash: await hashPassword('s3cret') } },
    ]);
    await seed(promotionStreamId('promoted-components', 'cloud'), [
      {
        type: 'RepoPromoted',
        data: {
          promotionName: 'promoted-components',
          commitHash: commitOf(0, 0),
          distroHash: DISTRO,
          extendedHash: null,
          component: 'cloud',
          repoDir: `${commitOf(0, 0).slice(0, 2)}/${commitOf(0, 0).slice(2, 4)}/${commitOf(0, 0)}_dddddddd`,
          previousRepoDir: null,
          timestamp: 1_700_000_000,
          user: 'ci',
          aggregateHash: AGGREGATE,
        },
      },
    ]);
    seededHead = await events.headPosition();
    const views = await openSqliteReadModelStore(viewsFile);
    closeViews = () => views.close();
    engine = new ProjectionEngine(events, views, ALL_PROJECTIONS, { owner: 'fuzz' });
    await engine.start();
    await engine.run({ untilCaughtUp: true });
    // Accepted writes wait for the views to show them: keep projecting beside the API.
    projecting = engine.run({ signal: stopProjector.signal });
    app = await createApiApp(loadProjectsIni(join(dir, 'projects.ini')), { logLevel: 'silent' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    stopProjector.abort();
    await projecting;
    await engine?.stop();
    await closeViews?.();
    await events?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every random request with a non-5xx status, errors in DLRN shape, and appends only on 201', async () => {
    const statuses = new Map<number, number>();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const before = await events.headPosition();
        const headers: Record<string, string> = {};
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        if (request.authorization !== undefined) headers['authorization'] = request.authorization;
        const response = await app.inject({
          method: request.method,
          url: `${request.path}${request.query ? `?${request.query}` : ''}`,
          headers,
          remoteAddress: request.client,
          ...(request.body === undefined ? {} : { payload: request.body }),
        });
        const after = await events.headPosition();
        const status = response.statusCode;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const context = `${describeRequest(request)}\n→ ${status} ${response.body.slice(0, 300)}`;
        expect(status, context).toBeLessThan(500);
        if (status === 201) {
          accepted += 1;
          expect(after, context).toBeGreaterThan(before);
        } else {
          expect(after, context).toBe(before);
        }
        if (status === 401) {
          expect(response.body, context).toBe('Unauthorized Access');
          expect(response.headers['www-authenticate'], context).toBe('Basic realm="Authentication Required"');
        } else if (status === 404 && request.method === 'GET' && request.path.startsWith('/api/build/')) {
          // The build page's own "No such build" page: HTML, for the browser that followed a link.
          expect(response.headers['content-type'], context).toMatch(/^text\/html/);
        } else if (status >= 400) {
          expect(response.headers['content-type'], context).toMatch(/^application\/json/);
          const answer = response.json<{ message?: unknown; errors?: { message?: unknown }[] }>();
          // GraphQL answers in its own shape (graphql-over-http): {"errors": [{"message": …}]}.
          const graphql = request.path.startsWith('/api/graphql');
          const message = answer.message ?? (graphql ? answer.errors?.[0]?.message : undefined);
          expect(typeof message, context).toBe('string');
        }
      }),
      { seed: 20_260_315, numRuns: 2500, endOnFailure: true },
    );
    console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    // The fuzz reached past validation, and into the refusals of every kind.
    expect(accepted).toBeGreaterThan(0);
    for (const status of [400, 401, 403, 404, 405, 409, 413, 415, 429])
      expect(statuses.get(status) ?? 0, `${status}`).toBeGreaterThan(0);
  }, 240_000);

  it('still answers its health check, and holds only well-formed events', async () => {
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect([health.statusCode, health.json()]).toEqual([200, { result: 'ok' }]);
    const appended = await events.readAll({ after: seededHead, maxCount: 100_000 });
    for (const event of appended) {
      expect(isKnownEventType(event.type), event.type).toBe(true);
      expect(event.metadata.schemaVersion).toBe(schemaVersionOf(event.type));
      expect(['RepoClaimed', 'CiVoteReported', 'AggregateVoteReported', 'RepoPromoted', 'BuildRechecked']).toContain(
        event.type,
      );
      expect(event.metadata.actor).toBe('ci');
      const data = event.data as Record<string, unknown>;
      if (event.type === 'RepoPromoted') {
        expect(data['promotionName']).toMatch(/^[^/\\\0]+$/);
        expect(['current', 'consistent', '.', '..']).not.toContain(data['promotionName']);
      }
      if ('commitHash' in data) expect(data['distroHash']).toBe(DISTRO);
    }
  });

  it('refuses raw path tricks on a real socket without a 5xx', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        let answer = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    for (const target of [
      '/api/../etc/passwd',
      '/api/./health',
      '/../../etc/passwd',
      '/api/static/../../package.json',
      '/api/builds/../../../etc/passwd',
      '/api/%2e%2e/%2e%2e/etc/passwd',
      '/api/health\u00ff',
      '//api//health',
      'api/health',
      '*',
      'http://evil.example.org/api/health',
    ]) {
      const answer = await raw(target);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      expect(status, `${target}\n${answer.slice(0, 400)}`).toBeGreaterThanOrEqual(200);
      expect(status, `${target}\n${answer.slice(0, 400)}`).toBeLessThan(500);
      expect(answer, target).not.toMatch(/root:x:0:0|"name": "dlrn-ts"/);
    }
  });
});
