import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiHeader,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { mayAct } from '#domain/user/user-roles.js';
import { API_LOGGER } from '#infrastructure/nest/tokens.js';
import { HistoryQuery, LiveHistory, type HistoryFeed } from '#application/queries/history/index.js';
import { Authenticator } from '../auth/authenticator.js';
import { ERROR_SCHEMA } from '../dlrn/openapi-examples.js';
import { ApiQueryInput } from '../http/api-input.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { readInput } from '../http/request-input.js';
import { EVENT_SCHEMA } from '../resources/openapi-schemas.js';
import { eventAnswer } from './event-answer.js';
import {
  EventStreamSlots,
  EVENT_STREAM_OPTIONS,
  DEFAULT_HEARTBEAT_MS,
  type EventStreamOptions,
} from './event-stream-slots.js';
import { DEFAULT_EVENTS_PAGE, EVENTS, EVENT_STREAM, resumeAfter, type EventsInput } from './history-inputs.js';

const errors = { schema: ERROR_SCHEMA };
/** A client whose socket has not drained for this long is dropped (it resumes after its last id). */
const STALL_MS = 60_000;
const HISTORY_EVENT_SCHEMA = {
  ...EVENT_SCHEMA,
  properties: { ...EVENT_SCHEMA.properties, stream: { type: 'string', example: 'build-python-nova@…' } },
};

/**
 * The history: the global event log in pages (`/api/events`) and live (`/api/events/stream`,
 * Server-Sent Events), for auditors and dashboards. Secrets never leave unless an admin asks.
 */
@ApiTags('history')
@Controller('api')
export class HistoryHttpController implements OnModuleDestroy {
  private readonly heartbeatMs: number;
  /** How to end each open stream: the server does not close while one is open. */
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(LiveHistory) private readonly live: LiveHistory,
    @Inject(EventStreamSlots) private readonly slots: EventStreamSlots,
    @Inject(Authenticator) private readonly auth: Authenticator,
    @Inject(API_LOGGER) private readonly log: Logger,
    @Inject(EVENT_STREAM_OPTIONS) options: EventStreamOptions,
  ) {
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  @Get('events')
  @ApiOperation({
    summary: 'The global event log in position order, in pages after a position',
    description:
      'Follow `next_after` (also the `Link` header) for the next page; null when nothing more follows now. ' +
      'Positions never change and are never reused, so paging never skips or repeats an event while new ones ' +
      'land. Password hashes are `[redacted]` unless an admin asks `redact=false`.',
  })
  @ApiQueryInput(EVENTS)
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        events: { type: 'array', items: HISTORY_EVENT_SCHEMA },
        next_after: { type: 'integer', nullable: true, description: 'The `after` of the next page' },
      },
    },
  })
  @ApiBadRequestResponse(errors)
  @ApiForbiddenResponse(errors)
  @ApiNotFoundResponse(errors)
  async events(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, EVENTS);
    if (!input.redact) await this.requireAdmin(request);
    const page = await this.queries.execute(
      new HistoryQuery({
        after: input.after,
        limit: input.limit,
        types: input.type,
        package: input.package,
        buildId: input.build,
      }),
    );
    if (page === null) throw new DlrnHttpError(404, `No such build ${input.build}`);
    if (page.nextAfter !== null) void reply.header('link', `<${nextHref(input, page.nextAfter)}>; rel="next"`);
    return {
      events: page.events.map((e) => eventAnswer(e, { withStream: true, redact: input.redact })),
      next_after: page.nextAfter,
    };
  }

  @Get('events/stream')
  @ApiOperation({
    summary: 'The global event log live, as Server-Sent Events',
    description:
      'Each event: `id:` its position, `event:` its type, `data:` the JSON of `/api/events`. Resumes after ' +
      '`Last-Event-ID` (sent by a reconnecting EventSource) or `after`: nothing lost or doubled across a ' +
      'reconnect. A comment line every 15 s keeps idle connections open. At most a bounded number of streams ' +
      'per process: past it, 503 with `Retry-After`. Password hashes are always `[redacted]`.',
  })
  @ApiQueryInput(EVENT_STREAM)
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this position (the `id:` of the last event received); wins over `after`',
  })
  @ApiOkResponse({
    description: '`id: <position>` / `event: <type>` / `data: <event JSON>` messages, until the client leaves',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ content: { 'application/json': errors } })
  @ApiResponse({
    status: 503,
    description: 'Too many streams open; retry after `Retry-After` seconds',
    content: { 'application/json': errors },
  })
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const input = readInput(request, EVENT_STREAM);
    const after = resumeAfter(request.headers['last-event-id'], input.after);
    const release = this.slots.tryEnter();
    if (release === null) {
      throw new DlrnHttpError(503, `Too many event streams open (${this.slots.max}); retry later`, {
        'retry-after': '5',
      });
    }
    let feed: HistoryFeed;
    try {
      feed = await this.live.follow(after, { types: input.type, package: input.package });
    } catch (error) {
      release();
      throw error;
    }
    reply.hijack();
    await this.pump(reply.raw, feed, release);
  }

  /**
   * Writes the feed to the client until it leaves, stalls (its socket has not drained for
   * STALL_MS) or the store fails; then lets go of everything. One batch is written at a time, so
   * a slow client holds at most its socket's buffer and one batch.
   */
  private async pump(raw: ServerResponse, feed: HistoryFeed, release: () => void): Promise<void> {
    let gone = false;
    const heartbeat = setInterval(() => {
      if (!gone) raw.write(': heartbeat\n\n');
    }, this.heartbeatMs);
    heartbeat.unref();
    const wake = new Set<() => void>();
    const finish = (): void => {
      if (gone) return;
      gone = true;
      clearInterval(heartbeat);
      this.open.delete(end);
      release();
      void feed.close();
      for (const resume of wake) resume();
    };
    const end = (): void => {
      finish();
      raw.end();
    };
    this.open.add(end);
    raw.on('close', finish);
    raw.on('error', finish);
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // The connection ends with the stream: nothing is sent after it, so nothing keeps it open.
      connection: 'close',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    raw.write(': dlrn event stream\n\n');
    // Past the socket's buffer, wait for it to drain, for the client to leave, or STALL_MS.
    const drained = (): Promise<boolean> =>
      new Promise((resume) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          wake.delete(left);
          raw.off('drain', drain);
          resume(ok);
        };
        const drain = (): void => done(true);
        const left = (): void => done(false);
        const timer = setTimeout(() => done(false), STALL_MS);
        wake.add(left);
        raw.once('drain', drain);
      });
    try {
      for await (const events of feed) {
        if (gone) break;
        let text = '';
        for (const event of events) {
          const json = JSON.stringify(eventAnswer(event, { withStream: true }));
          text += `id: ${event.position}\nevent: ${event.type.replace(/[\r\n]/g, '')}\ndata: ${json}\n\n`;
        }
        if (!raw.write(text) && !(await drained())) break;
        if (gone) break;
      }
    } catch (error) {
      this.log.error({ err: error }, 'event stream failed');
    } finally {
      end();
    }
  }

  /** On shutdown: every stream ends (its client reconnects elsewhere, after its last event id). */
  onModuleDestroy(): void {
    for (const end of [...this.open]) end();
  }

  /** `redact=false`: the caller's credentials, checked here even when reads are open, must be an admin's. */
  private async requireAdmin(request: FastifyRequest): Promise<void> {
    const outcome = await this.auth.authenticate(request.headers.authorization, {
      path: request.url.split('?', 1)[0]!,
      method: request.method,
      client: request.ip,
    });
    if (outcome.ok) {
      if (!mayAct(outcome.roles, 'admin')) {
        throw new DlrnHttpError(403, `User ${outcome.user} does not have the admin role (needed for redact=false)`);
      }
      return;
    }
    if (outcome.reason === 'limited' || outcome.reason === 'busy') {
      const seconds = Math.ceil(outcome.retryAfterMs / 1000);
      throw new DlrnHttpError(outcome.reason === 'limited' ? 429 : 503, `Logins refused; retry in ${seconds} s`, {
        'retry-after': String(seconds),
      });
    }
    throw new DlrnHttpError(403, 'redact=false needs the credentials of a user with the admin role');
  }
}

/** The next page's link, from the validated input (never the request's URL). */
function nextHref(input: EventsInput, after: number): string {
  const query = new URLSearchParams({ after: String(after) });
  if (input.limit !== DEFAULT_EVENTS_PAGE) query.set('limit', String(input.limit));
  if (input.type !== null) query.set('type', input.type.join(','));
  if (input.package !== null) query.set('package', input.package);
  if (input.build !== null) query.set('build', input.build);
  if (!input.redact) query.set('redact', 'false');
  return `/api/events?${query.toString()}`;
}
