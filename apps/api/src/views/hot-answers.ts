import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ViewVersion } from './view-version.js';

type Headers = Record<string, string | number | string[] | undefined>;

/** A GET answer as it went out: replayed byte for byte while it is still true. */
interface HotAnswer {
  readonly etag: string;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Per request: the views version its answer came from (set by whoever served it from the cache). */
const answerVersions = new WeakMap<FastifyRequest, number>();

/** Says that `request` is answered from the views cache, as they were at `version`. */
export function markCachedAnswer(request: FastifyRequest, version: number): void {
  answerVersions.set(request, version);
}

/** Requests whose URL says more than their validated input: never kept under that URL. */
const unknownInput = new WeakSet<FastifyRequest>();

/**
 * Says that `request`'s URL carries parameters its route does not read: its answer is the one
 * of the URL without them, and keeping it under this URL would let every made-up parameter
 * take an entry.
 */
export function markUnknownInput(request: FastifyRequest): void {
  unknownInput.add(request);
}

/** What an entry costs beside its body and URL (map slot, headers, objects), roughly. */
const ENTRY_OVERHEAD = 512;

/**
 * The last bytes sent for each GET URL answered from the views cache, served again in front of
 * the framework (no routing, validation, handler or serialization) while the views have not
 * moved and within the same wall-clock second. The second bounds the answers that depend on the
 * time as well as on the views (`last_tested_repo`'s `max_age` cut-off is whole seconds, the
 * pages' "days since" minutes), so a replay is exactly what the handler would answer now.
 * Everything is dropped at once when the views or the second change; within one, the entries
 * hold `maxBytes` at most (bodies, URLs and overhead). Requests with a body type are never
 * replayed (DLRN reads a JSON body instead of the query string), nor requests marked with
 * `markUnknownInput` (parameters their route does not read). Authentication runs before (its
 * hook is registered first), and the ETag/304 and cache-control hooks after, as for any other
 * answer.
 */
export class HotAnswers {
  private entries = new Map<string, HotAnswer>();
  private bytes = 0;
  private epoch = '';

  constructor(
    private readonly views: Pick<ViewVersion, 'version'>,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  lookup(url: string): HotAnswer | null {
    this.follow();
    return this.entries.get(url) ?? null;
  }

  store(url: string, version: number, headers: Headers & { etag: string }, body: Buffer): void {
    this.follow();
    const cost = body.length + url.length * 2 + ENTRY_OVERHEAD;
    if (version !== this.views.version || cost > this.maxBytes / 16 || this.entries.has(url)) return;
    if (this.bytes + cost > this.maxBytes) this.clear();
    this.entries.set(url, { etag: headers.etag, headers, body });
    this.bytes += cost;
  }

  /** Starts afresh when the views or the second moved on: every entry is stale then. */
  private follow(): void {
    const epoch = `${this.views.version}:${Math.floor(Date.now() / 1000)}`;
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.clear();
    }
  }

  private clear(): void {
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
      const entry = replayable(request) ? this.lookup(request.url) : null;
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
      const version = answerVersions.get(request);
      if (version === undefined || reply.statusCode !== 200 || !replayable(request) || unknownInput.has(request)) {
        return done(null, payload);
      }
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      // As @fastify/etag would compute it: the replay then needs no hashing.
      if (!reply.hasHeader('etag')) void reply.header('etag', `"${createHash('sha1').update(body).digest('base64')}"`);
      const { 'content-length': _length, ...headers } = reply.getHeaders();
      this.store(request.url, version, { ...headers, etag: String(headers['etag']) }, body);
      done(null, body);
    });
  }
}

const replayable = (request: FastifyRequest): boolean =>
  request.method === 'GET' && request.headers['content-type'] === undefined;
