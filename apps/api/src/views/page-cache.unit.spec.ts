import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { cachedPage, type PageReply } from './page-cache.js';
import { ViewVersion } from './view-version.js';

const store = { checkpoints: async () => [] };

/** The reply's status and content type as a handler leaves them. */
function reply(): PageReply & { readonly sent: { status?: number; type?: string } } {
  const sent: { status?: number; type?: string } = {};
  const fake = {
    sent,
    status(code: number) {
      sent.status = code;
      return fake;
    },
    header(_name: string, value: string) {
      sent.type = value;
      return fake;
    },
  };
  return fake;
}

describe('cached pages', () => {
  describe('when a page is found', () => {
    it('renders it once and answers it again from the cache', async () => {
      const views = new ViewVersion(store);
      let renders = 0;
      const render = async () => ({ contentType: 'text/html', body: `<p>${++renders}</p>` });
      const first = reply();
      expect(await cachedPage(views, { url: '/api/report.html' } as FastifyRequest, first, 'report', render)).toBe(
        '<p>1</p>',
      );
      expect(await cachedPage(views, { url: '/api/report.html' } as FastifyRequest, reply(), 'report', render)).toBe(
        '<p>1</p>',
      );
      expect(first.sent).toEqual({ status: 200, type: 'text/html' });
      expect(views.bytes).toBeGreaterThan(0);
    });
  });

  describe('when a page answers 404 (a made-up build id)', () => {
    it('answers it without keeping it: made-up ids cannot push real pages out', async () => {
      const views = new ViewVersion(store);
      let renders = 0;
      const missing = async () => ({ status: 404, contentType: 'text/html', body: `<p>no ${++renders}</p>` });
      for (let i = 0; i < 3; i++) {
        const answer = reply();
        await cachedPage(views, { url: '/api/build/x.html' } as FastifyRequest, answer, 'build:x.html', missing);
        expect(answer.sent.status).toBe(404);
      }
      expect(renders).toBe(3);
      expect(views.bytes).toBe(0);
    });
  });
});
