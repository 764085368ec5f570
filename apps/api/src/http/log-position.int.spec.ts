import fastifyEtag from '@fastify/etag';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HotAnswers, markCachedAnswer } from '../views/hot-answers.js';
import { ViewVersion } from '../views/view-version.js';
import { documentLogPositions, markWritten, parsePosition, registerLogPositions } from './log-position.js';

/**
 * A Fastify app wired as the API is (log positions, then hot answers, then ETags) over a real
 * ViewVersion whose store is a checkpoint the test moves; it is never polled, so it only learns
 * of a move when something refreshes it.
 */
async function appWith(timeoutMs: number) {
  const store = { position: 1, value: 'one', failing: false };
  const views = new ViewVersion({
    checkpoints: async () => {
      if (store.failing) throw new Error('connection refused');
      return [{ name: 'votes', version: 1, position: store.position, updatedAt: '2026-12-05T00:00:00Z', active: true }];
    },
  });
  await views.refresh();
  const fastify = Fastify();
  registerLogPositions(fastify, views, timeoutMs);
  new HotAnswers(views).register(fastify);
  await fastify.register(fastifyEtag);
  let computed = 0;
  fastify.get('/read', async (request: FastifyRequest) => {
    // As the controllers answer: from the views cache of this replica's views version.
    const answer = await views.cached('read', async () => {
      computed += 1;
      return { value: store.value };
    });
    markCachedAnswer(request, views.version);
    return answer.value;
  });
  fastify.post('/write', async (request: FastifyRequest, reply) => {
    markWritten(request, 42);
    void reply.code(201);
    return 'written';
  });
  fastify.post('/refused', async (request: FastifyRequest, reply) => {
    markWritten(request, 43);
    void reply.code(500);
    return 'recorded, then failed';
  });
  fastify.post('/nothing', async (request: FastifyRequest) => {
    markWritten(request, null);
    return 'nothing recorded';
  });
  await fastify.ready();
  return { fastify, store, views, computed: () => computed };
}

describe('X-Dlrn-Position', () => {
  let app: Awaited<ReturnType<typeof appWith>>;
  const read = (position?: string) =>
    app.fastify.inject({
      method: 'GET',
      url: '/read',
      headers: position === undefined ? {} : { 'x-dlrn-position': position },
    });

  beforeEach(async () => {
    app = await appWith(300);
  });
  afterEach(async () => {
    await app.fastify.close();
  });

  describe('on a write', () => {
    it('carries the position its events reached, on success and on a later failure alike', async () => {
      const ok = await app.fastify.inject({ method: 'POST', url: '/write' });
      expect([ok.statusCode, ok.headers['x-dlrn-position']]).toEqual([201, '42']);
      const failed = await app.fastify.inject({ method: 'POST', url: '/refused' });
      expect([failed.statusCode, failed.headers['x-dlrn-position']]).toEqual([500, '43']);
    });

    it('is absent when the write recorded nothing, and on reads', async () => {
      const nothing = await app.fastify.inject({ method: 'POST', url: '/nothing' });
      expect(nothing.headers['x-dlrn-position']).toBeUndefined();
      expect((await read()).headers['x-dlrn-position']).toBeUndefined();
    });
  });

  describe('on a read', () => {
    it('is answered at once when the views have passed the position', async () => {
      const answer = await read('1');
      expect([answer.statusCode, answer.body]).toEqual([200, 'one']);
    });

    it('waits for the views to pass it, and never replays an answer kept from before', async () => {
      expect((await read()).body).toBe('one');
      expect((await read()).body).toBe('one'); // kept
      expect(app.computed()).toBe(1);
      // The views move on; this replica has not polled yet.
      app.store.position = 2;
      app.store.value = 'two';
      // Without the header, the kept answer is served (as of this replica's last poll)…
      expect((await read()).body).toBe('one');
      // …with it, the replica catches up first.
      const fresh = await read('2');
      expect([fresh.statusCode, fresh.body]).toEqual([200, 'two']);
      expect(app.computed()).toBe(2);
    });

    it('answers once the views pass the position while it waits', async () => {
      const pending = read('5');
      setTimeout(() => {
        app.store.position = 5;
        app.store.value = 'five';
      }, 100);
      const answer = await pending;
      expect([answer.statusCode, answer.body]).toEqual([200, 'five']);
    });

    it('answers 503 with Retry-After naming the position when the views do not reach it in time', async () => {
      const answer = await read('9');
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json()).toEqual({
        message: 'The views of this replica have not reached log position 9 (X-Dlrn-Position) yet; retry',
      });
      expect(app.computed()).toBe(0);
    });

    it('answers 503 when the views cannot be read', async () => {
      app.store.failing = true;
      const answer = await read('9');
      expect([answer.statusCode, answer.headers['retry-after'], answer.json()]).toEqual([
        503,
        '1',
        { message: 'Service Unavailable: the views could not be read' },
      ]);
    });

    it.each(['abc', '-1', '1.5', '1e3', '0x10', '01', '', '9999999999999999', ' 1 2'])(
      'answers 400 naming the header for %j',
      async (value) => {
        const answer = await read(value);
        expect(answer.statusCode).toBe(400);
        expect((answer.json() as { message: string }).message).toMatch(
          /^X-Dlrn-Position must be a log position \(an integer >= 0, as a write answered it\), got "/,
        );
        expect(app.computed()).toBe(0);
      },
    );
  });
});

describe('parsePosition', () => {
  it('reads a position, trims spaces, and refuses a header sent twice', () => {
    expect(parsePosition(undefined)).toBeNull();
    expect(parsePosition(' 17 ')).toBe(17);
    expect(parsePosition('0')).toBe(0);
    expect(parsePosition(['1', '2'])).toEqual({ error: expect.stringContaining('"1,2"') });
    expect(parsePosition('x'.repeat(100))).toEqual({ error: expect.stringContaining(`"${'x'.repeat(40)}…"`) });
  });
});

describe('documentLogPositions', () => {
  it('adds the request header to reads and the response header to writes, not to checks', () => {
    const doc = documentLogPositions({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/api/promotions': {
          get: { responses: {} },
          post: { responses: { '201': { description: 'ok' }, '400': { description: 'bad' } } },
        },
        '/api/health': { post: { responses: { '200': { description: 'ok' } } } },
      },
    });
    expect(doc.paths['/api/promotions']!.get!.parameters).toEqual([
      expect.objectContaining({ name: 'X-Dlrn-Position', in: 'header', required: false }),
    ]);
    const post = doc.paths['/api/promotions']!.post!.responses;
    expect(Object.keys((post['201'] as { headers: object }).headers)).toEqual(['X-Dlrn-Position']);
    expect((post['400'] as { headers?: object }).headers).toBeUndefined();
    expect((doc.paths['/api/health']!.post!.responses['200'] as { headers?: object }).headers).toBeUndefined();
  });
});
