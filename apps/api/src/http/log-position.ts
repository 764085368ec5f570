import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { READ_YOUR_WRITES_MS, type ViewVersion } from '../views/view-version.js';

/**
 * `X-Dlrn-Position`: the global log position of a write, sent back by the client on a later
 * request so that any replica answers it only once its views have passed that position.
 */
export const POSITION_HEADER = 'X-Dlrn-Position';
const REQUEST_HEADER = 'x-dlrn-position';

/** Positions are log positions: at most 15 digits (well inside a double's exact integers). */
const POSITION = /^(?:0|[1-9][0-9]{0,14})$/;

/** Per request: the log position its write reached. */
const written = new WeakMap<FastifyRequest, number>();

/**
 * Says that `request` wrote to the log up to `position` (the last of its events): its answer
 * carries `X-Dlrn-Position: <position>`, whatever its status. Call it as soon as the write is
 * recorded, before waiting for the views.
 */
export function markWritten(request: FastifyRequest, position: number | null): void {
  if (position !== null) written.set(request, position);
}

/** The position a request asks its answer to reflect, or a message saying what is wrong with it. */
export function parsePosition(raw: string | string[] | undefined): number | null | { readonly error: string } {
  if (raw === undefined) return null;
  const value = Array.isArray(raw) ? raw.join(',') : raw.trim();
  if (!POSITION.test(value)) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return {
      error: `${POSITION_HEADER} must be a log position (an integer >= 0, as a write answered it), got ${JSON.stringify(shown)}`,
    };
  }
  return Number(value);
}

/**
 * The hooks: every answer to a write that recorded events carries its position; every request
 * that sends `X-Dlrn-Position: N` (reads, and writes too: a claim chooses from the views) waits
 * until this replica's views have passed N — at most as long as read-your-writes waits — before
 * anything answers it, the hot answers included (register this before them). Past the bound it
 * gets 503 with `Retry-After: 1` (also when the views cannot be read); a malformed header gets 400
 * naming it. Requests without the header pay one property lookup.
 */
export function registerLogPositions(
  fastify: FastifyInstance,
  views: Pick<ViewVersion, 'current' | 'waitFor'>,
  timeoutMs = READ_YOUR_WRITES_MS,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.headers[REQUEST_HEADER];
    if (raw === undefined) return done();
    const position = parsePosition(raw);
    if (position === null) return done();
    if (typeof position === 'object') {
      void reply.code(400).send({ message: position.error });
      return;
    }
    if (views.current >= position) return done();
    views.waitFor(position, timeoutMs).then(
      (reached) => {
        if (reached) return done();
        void reply
          .code(503)
          .header('retry-after', '1')
          .send({
            message: `The views of this replica have not reached log position ${position} (${POSITION_HEADER}) yet; retry`,
          });
      },
      () => {
        // The views could not be read (their database is down): what any read would meet.
        void reply
          .code(503)
          .header('retry-after', '1')
          .send({ message: 'Service Unavailable: the views could not be read' });
      },
    );
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const position = written.get(request);
    if (position !== undefined) void reply.header(POSITION_HEADER, String(position));
    done(null, payload);
  });
}

/** POSTs that are reads or checks, not writes: they never carry a position. */
const NOT_WRITES = new Set(['/api/graphql', '/api/health']);

/**
 * Documents the header in the OpenAPI document: a request header on every GET, a response
 * header on every write's success answers.
 */
export function documentLogPositions(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const read = item.get;
    if (read !== undefined) {
      read.parameters = [
        ...(read.parameters ?? []),
        {
          name: POSITION_HEADER,
          in: 'header',
          required: false,
          description:
            'A log position a write answered (its X-Dlrn-Position): the answer waits until these views have passed it (5 s at most, then 503 with Retry-After)',
          schema: { type: 'integer', minimum: 0 },
        },
      ];
    }
    const write = item.post;
    if (write === undefined || NOT_WRITES.has(path)) continue;
    for (const [status, response] of Object.entries(write.responses)) {
      if (response === undefined || !status.startsWith('2') || '$ref' in response) continue;
      response.headers = {
        ...response.headers,
        [POSITION_HEADER]: {
          description:
            'The log position of the last event this write recorded: send it back on a read, to any replica, to see the write',
          schema: { type: 'integer', minimum: 0 },
        },
      };
    }
  }
  return document;
}
