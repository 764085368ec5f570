import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Where the webhook routes live; their bodies are kept as received. */
export const WEBHOOKS_PREFIX = '/api/webhooks/';

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** Copies the bytes that pass through it, to hand them over once the body has ended. */
class BodyCopy extends Transform {
  private readonly chunks: Buffer[] = [];

  constructor(private readonly onEnd: (body: Buffer) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunks.push(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.onEnd(Buffer.concat(this.chunks));
    callback();
  }
}

/**
 * A forge signs the bytes it sent, not the JSON we parse from them: for `/api/webhooks/*` the
 * body is copied as it streams in (after the write body limit of `acceptAnyBody`, which must be
 * registered first), while the content-type parsers every other route relies on run as usual.
 */
export function keepWebhookBodies(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.method !== 'POST' || !request.url.startsWith(WEBHOOKS_PREFIX)) return done(null, payload);
    const copy = new BodyCopy((body) => rawBodies.set(request, body));
    payload.on('error', (error) => copy.destroy(error));
    done(null, payload.pipe(copy));
  });
}

/** The body of a webhook request, byte for byte as received (empty when it had none). */
export function webhookBodyOf(request: FastifyRequest): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}
