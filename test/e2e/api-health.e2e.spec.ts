import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { testEvent } from '../support/events.js';

describe('API health over HTTP on the embedded store', () => {
  let dir: string;
  let app: NestFastifyApplication;
  let eventsFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-api-'));
    cpSync('test/fixtures/config/seed-flock2017', dir, { recursive: true });
    eventsFile = join(dir, 'events.sqlite');
    appendFileSync(join(dir, 'projects.ini'), `\n[service]\nevent_store=sqlite:///${eventsFile}\n`);
    const { config } = await loadConfiguration({ configFile: join(dir, 'projects.ini'), infoRepo: dir });
    app = await createApiApp(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers DLRN\'s "ok, no commits in DB" while nothing was discovered', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ result: 'ok, no commits in DB' });
  });

  describe('when no projector has built the views yet', () => {
    it.each(['/api/packages', '/api/last_tested_repo?max_age=0', '/api/status_report.html', '/metrics'])(
      'answers GET %s 503 naming dlrn projector, in JSON, with Retry-After',
      async (url) => {
        const response = await app.inject({ method: 'GET', url });
        expect([response.statusCode, response.headers['retry-after'], response.headers['content-type']]).toEqual([
          503,
          '5',
          'application/json; charset=utf-8',
        ]);
        expect(response.json<{ message: string }>().message).toMatch(/views are not built yet .*dlrn projector/);
      },
    );

    it('answers a login 503, not 500 (the users view is missing too)', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/report_result',
        headers: { authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
        payload: {},
      });
      expect(response.statusCode).toBe(503);
      expect(response.json<{ message: string }>().message).toMatch(/not built yet \(users\)/);
    });

    it('is not ready, although the log is empty', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/ready' });
      expect([response.statusCode, response.json()]).toEqual([503, { ready: false, head: 0, views: 0, lag: 0 }]);
    });
  });

  it('answers "ok" once a commit is in the store, and POST only with credentials', async () => {
    const writer = new SqliteEventStore(eventsFile);
    await writer.append('build-foo@a_b', [testEvent('CommitDiscovered', { package: 'foo' })]);
    await writer.close();
    expect((await app.inject({ method: 'GET', url: '/api/health' })).json()).toEqual({ result: 'ok' });
    // POST is DLRN's credentials check (a write); with credentials: test/e2e/api-dlrn.e2e.spec.ts.
    const post = await app.inject({ method: 'POST', url: '/api/health' });
    expect([post.statusCode, post.body, post.headers['www-authenticate']]).toEqual([
      401,
      'Unauthorized Access',
      'Basic realm="Authentication Required"',
    ]);
  });
});
