import { Transform, type TransformCallback } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DlrnHttpError } from './dlrn-http.error.js';

/** Largest request body accepted on writes; larger ones get 413. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Largest GET (and HEAD) body: DLRN's GET bodies are small JSON objects of a few fields, and
 * GraphQL documents are refused past 16 KiB anyway. Far below the write limit, since reads are
 * anonymous.
 */
export const GET_BODY_LIMIT = 16 * 1024;

/** Deepest JSON nesting accepted: DLRN's inputs are flat objects (an array of them at most). */
export const MAX_JSON_DEPTH = 32;

/**
 * A body answered before it was read (401, 413…) is read and discarded up to this many bytes,
 * for at most `DRAIN_MS`, before the answer goes out: closing with unread data makes the kernel
 * reset the connection, and the client loses the answer. Past either bound the connection is
 * closed (and may be reset).
 */
export const DRAIN_LIMIT = 16 * 1024 * 1024;
export const DRAIN_MS = 10_000;

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

const limitOf = (method: string) => (method === 'GET' || method === 'HEAD' ? GET_BODY_LIMIT : BODY_LIMIT);

function tooLarge(method: string): DlrnHttpError {
  return new DlrnHttpError(413, `Request body too large: a ${method} body may hold at most ${size(limitOf(method))}`);
}

/** Counts a chunked body's bytes as they arrive, and fails it past the limit. */
class LimitedBody extends Transform {
  receivedEncodedLength = 0;

  constructor(
    private readonly limit: number,
    private readonly method: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.receivedEncodedLength += chunk.length;
    callback(this.receivedEncodedLength > this.limit ? tooLarge(this.method) : null, chunk);
  }
}

/**
 * True when a JSON text nests arrays and objects deeper than `max`: one pass over the bytes,
 * skipping strings, before anything recursive (parsing, stringifying, validation) sees it.
 */
export function nestsDeeperThan(json: Buffer, max: number): boolean {
  if (json.length <= max * 2) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i]!;
    if (inString) {
      if (byte === 0x5c) i += 1;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return false;
}

/**
 * DLRN reads forms and query strings as well as JSON, and answers 415 itself on JSON-only
 * endpoints: every content type reaches the handlers (Nest parses forms; others arrive as text).
 * GETs carry bodies too: DLRN reads a GET's JSON body instead of its query string (deprecated
 * there, still what its documented `curl -X GET -d '{…}'` calls and older clients send); Fastify
 * ignores GET bodies unless told otherwise. Bodies are bounded: 16 KiB on GET, 1 MiB otherwise
 * (413 naming the limit), JSON nesting 32 levels (400); answers given before the body was read
 * wait until it is drained.
 */
export function acceptAnyBody(app: NestFastifyApplication, fastify: FastifyInstance): void {
  fastify.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  const json = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, (request, body, done) => {
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      done(new DlrnHttpError(400, `Invalid JSON body: nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    // Fastify's own parser (prototype poisoning refused); the request types differ only in
    // the server type the adapter is generic over.
    json(request as FastifyRequest, body.toString(), done);
  });
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Callback hooks: every request passes them (the hot answers are served before them).
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const length = request.headers['content-length'];
    const limit = limitOf(request.method);
    if (length !== undefined) return done(Number(length) > limit ? tooLarge(request.method) : null, payload);
    if (request.headers['transfer-encoding'] === undefined) return done(null, payload);
    done(null, payload.pipe(new LimitedBody(limit, request.method)));
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.raw.complete) return done(null, payload);
    void drain(request).then((drained) => {
      // Past the bounds the body is left unread: say the connection ends with this answer.
      if (!drained) void reply.header('connection', 'close');
      done(null, payload);
    });
  });
}

/**
 * Reads and discards what is left of a request's body: true once it ended, false (the rest
 * left unread) past `DRAIN_LIMIT` bytes or `DRAIN_MS`.
 */
function drain(request: FastifyRequest): Promise<boolean> {
  const raw = request.raw;
  if (raw.destroyed || raw.readableEnded) return Promise.resolve(true);
  if (Number(raw.headers['content-length']) > DRAIN_LIMIT) return Promise.resolve(false);
  return new Promise((resolve) => {
    let received = 0;
    const finish = (drained: boolean): void => {
      clearTimeout(timer);
      if (!drained) raw.pause();
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('close', onEnd);
      resolve(drained);
    };
    const onEnd = (): void => finish(true);
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > DRAIN_LIMIT) finish(false);
    };
    const timer = setTimeout(() => finish(false), DRAIN_MS);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onEnd);
    raw.resume();
  });
}
