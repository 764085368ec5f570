import fastifyEtag from '@fastify/etag';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HotAnswers, markCachedAnswer, markUnknownInput } from './hot-answers.js';

/** A Fastify app wired as the API is: hot answers, then the ETag plugin; one counted route. */
async function appWith(views: { version: number }, answer: () => { status: number; body: string }) {
  const fastify = Fastify();
  let responses = 0;
  fastify.addHook('onResponse', (_request, _reply, done) => {
    responses += 1;
    done();
  });
  const hot = new HotAnswers(views, 64 * 1024);
  hot.register(fastify);
  await fastify.register(fastifyEtag);
  let computed = 0;
  const handler = async (request: Parameters<typeof markCachedAnswer>[0], reply: { code(n: number): unknown }) => {
    computed += 1;
    const { status, body } = answer();
    markCachedAnswer(request, views.version);
    if (request.url.includes('unknown=')) markUnknownInput(request);
    reply.code(status);
    return `${body} #${computed}`;
  };
  fastify.get('/answer', handler);
  fastify.post('/answer', handler);
  fastify.get('/uncached', async () => `fresh ${++computed}`);
  await fastify.ready();
  return { fastify, hot, computed: () => computed, responses: () => responses };
}

describe('hot answers in front of the handlers', () => {
  const views = { version: 7 };
  let app: Awaited<ReturnType<typeof appWith>>;
  let status = 200;
  let body = 'x';
  const get = (url = '/answer', headers: Record<string, string> = {}) =>
    app.fastify.inject({ method: 'GET', url, headers });

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T12:00:00.100Z'));
    views.version = 7;
    status = 200;
    body = 'x';
    app = await appWith(views, () => ({ status, body }));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await app.fastify.close();
  });

  describe('when the same URL is asked again in the same second at the same views position', () => {
    it('replays the first answer byte for byte, headers and ETag included, without the handler', async () => {
      const first = await get();
      const second = await get();
      expect(app.computed()).toBe(1);
      expect(second.body).toBe('x #1');
      expect(second.statusCode).toBe(200);
      expect(second.headers['etag']).toBe(first.headers['etag']);
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(second.headers['content-length']).toBe(String(Buffer.byteLength('x #1')));
      expect(app.responses()).toBe(2); // onResponse hooks (the request metrics) see replays too
    });

    it('answers a matching If-None-Match with 304 from the replay', async () => {
      const etag = (await get()).headers['etag'] as string;
      const conditional = await get('/answer', { 'if-none-match': etag });
      expect([conditional.statusCode, conditional.body, app.computed()]).toEqual([304, '', 1]);
      expect((await get('/answer', { 'if-none-match': `W/${etag}` })).statusCode).toBe(304);
      expect((await get('/answer', { 'if-none-match': '"other"' })).statusCode).toBe(200);
    });

    it('keeps URLs apart, query strings included', async () => {
      await get('/answer?a=1');
      await get('/answer?a=2');
      expect((await get('/answer?a=1')).body).toBe('x #1');
      expect(app.computed()).toBe(2);
    });
  });

  describe('when the views move on', () => {
    it('asks the handler again', async () => {
      await get();
      views.version = 8;
      expect((await get()).body).toBe('x #2');
      expect((await get()).body).toBe('x #2');
    });
  });

  describe('when the clock enters the next second', () => {
    it('asks the handler again (answers may depend on the time)', async () => {
      await get();
      vi.setSystemTime(new Date('2026-12-02T12:00:00.999Z'));
      expect((await get()).body).toBe('x #1');
      vi.setSystemTime(new Date('2026-12-02T12:00:01.000Z'));
      expect((await get()).body).toBe('x #2');
    });
  });

  describe('when an answer cannot be replayed', () => {
    it('never replays to a request with a body type (DLRN would read its body, not the query)', async () => {
      await get();
      const typed = await get('/answer', { 'content-type': 'application/json' });
      expect([typed.body, app.computed()]).toEqual(['x #2', 2]);
      await get('/answer', { 'content-type': 'application/json' });
      expect(app.computed()).toBe(3);
    });

    it('never keeps an answer under a URL with parameters its route does not read', async () => {
      await get('/answer?unknown=1');
      await get('/answer?unknown=1');
      expect(app.computed()).toBe(2);
    });

    it('never keeps an error answer', async () => {
      status = 404;
      await get();
      await get();
      expect(app.computed()).toBe(2);
    });

    it('never keeps answers the views cache did not make, nor answers to other methods', async () => {
      await get('/uncached');
      expect((await get('/uncached')).body).toBe('fresh 2');
      await app.fastify.inject({ method: 'POST', url: '/answer' });
      await app.fastify.inject({ method: 'POST', url: '/answer' });
      expect(app.computed()).toBe(4);
    });

    it('never keeps an answer computed at a position the views have left', async () => {
      await get();
      views.version = 9;
      // computed at version 9 now; what an old in-flight request would have stored is refused:
      app.hot.store('/answer', 8, { etag: '"stale"' }, Buffer.from('stale'));
      expect((await get()).body).toBe('x #2');
    });

    it('keeps within its byte budget (64 KiB here, bodies, URLs and overhead): a too large answer is not kept, a full cache starts afresh', async () => {
      body = 'y'.repeat(5000); // over 64 KiB / 16
      await get();
      await get();
      expect(app.computed()).toBe(2);
      body = 'z'.repeat(1000); // about 1.5 KiB an entry: the 43rd does not fit, the cache starts afresh
      for (let i = 0; i < 43; i++) await get(`/answer?i=${i}`);
      const before = app.computed();
      await get('/answer?i=42');
      await get('/answer?i=41');
      expect(app.computed()).toBe(before + 1);
    });
  });
});
