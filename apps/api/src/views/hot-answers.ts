import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ViewVersion } from './view-version.js';

type Headers = Record<string, string | number | string[] | undefined>;

/** A GET answer as it went out: replayed byte for byte while it is still true. */
interface HotAnswer {
  readonly position: number;
  readonly second: number;
  readonly etag: string;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Per request: the views position its answer came from (set by whoever served it from the cache). */
const answerPositions = new WeakMap<FastifyRequest, number>();

/** Says that `request` is answered from the views cache, as they were at `position`. */
export function markCachedAnswer(request: FastifyRequest, position: number): void {
  answerPositions.set(request, position);
}

const nowSecond = () => Math.floor(Date.now() / 1000);

/**
 * The last bytes sent for each GET URL answered from the views cache, served again in front of
 * the framework (no routing, validation, handler or serialization) while the views have not
 * moved and within the same wall-clock second. The second bounds the answers that depend on the
 * time as well as on the views (`last_tested_repo`'s `max_age` cut-off is whole seconds, the
 * pages' "days since" minutes), so a replay is exactly what the handler would answer now.
 * Authentication runs before (its hook is registered first), and the ETag/304 and cache-control
 * hooks after, as for any other answer.
 */
export class HotAnswers {
  private entries = new Map<string, HotAnswer>();
  private bytes = 0;

  constructor(
    private readonly views: Pick<ViewVersion, 'current'>,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  lookup(url: string): HotAnswer | null {
    const entry = this.entries.get(url);
    if (entry === undefined) return null;
    if (entry.position === this.views.current && entry.second === nowSecond()) return entry;
    this.entries.delete(url);
    this.bytes -= entry.body.length;
    return null;
  }

  store(url: string, position: number, headers: Headers & { etag: string }, body: Buffer): void {
    if (position !== this.views.current || body.length > this.maxBytes / 16) return;
    if (this.bytes + body.length > this.maxBytes) this.clear();
    const previous = this.entries.get(url);
    if (previous !== undefined) this.bytes -= previous.body.length;
    this.entries.set(url, { position, second: nowSecond(), etag: headers.etag, headers, body });
    this.bytes += body.length;
  }

  clear(): void {
    this.entries = new Map();
    this.bytes = 0;
  }

  /**
   * The hooks: an `onRequest` lookup that answers on the raw response (the rest of the
   * lifecycle is skipped, `onResponse` hooks still run), and an `onSend` capture. Register them
   * after authentication, and the capture after every `onSend` hook that sets headers but
   * before the ETag plugin's (it sets the ETag the plugin then compares, and must see the body
   * before a 304 empties it).
   */
  register(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const entry = request.method === 'GET' ? this.lookup(request.url) : null;
      if (entry === null) return done();
      reply.hijack();
      const match = request.headers['if-none-match'];
      // @fastify/etag's comparison, weak forms included.
      if (match === entry.etag || match === `W/${entry.etag}` || `W/${match}` === entry.etag) {
        reply.raw.writeHead(304, entry.headers).end();
      } else {
        reply.raw.writeHead(200, { ...entry.headers, 'content-length': entry.body.length }).end(entry.body);
      }
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const position = answerPositions.get(request);
      if (position === undefined || reply.statusCode !== 200) return done(null, payload);
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      // As @fastify/etag would compute it: the replay then needs no hashing.
      if (!reply.hasHeader('etag')) void reply.header('etag', `"${createHash('sha1').update(body).digest('base64')}"`);
      const { 'content-length': _length, ...headers } = reply.getHeaders();
      this.store(request.url, position, { ...headers, etag: String(headers['etag']) }, body);
      done(null, body);
    });
  }
}
