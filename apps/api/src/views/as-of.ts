import { Inject, Injectable, applyDecorators } from '@nestjs/common';
import { ApiConflictResponse, ApiQuery, ApiResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStore } from '#domain/shared/event-store.port.js';
import { ReadModelStore } from '#domain/projections/projection.js';
import {
  AsOfInputError,
  AsOfUnavailableError,
  parseAsOf,
  resolveAsOf,
  type TimePoint,
} from '#application/queries/time-travel/as-of.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { ViewVersion } from './view-version.js';

export type { TimePoint } from '#application/queries/time-travel/as-of.js';

/** The response header naming the log position an `as_of` answer reflects. */
export const AS_OF_HEADER = 'X-Dlrn-As-Of-Position';

const AS_OF_DESCRIPTION =
  'Time travel: the answer the service would have given at that moment. A global log position ' +
  '(an integer >= 1) or an ISO-8601 instant (`2026-12-05T10:00:00Z`, or a date: UTC midnight), ' +
  'which means the last event recorded at or before it (recording times come from the clock of ' +
  'the process that wrote each event). Anything that depends on "now" (vote ages, days since) is ' +
  'computed at the recording time of that event. The answer carries the position in the ' +
  `\`${AS_OF_HEADER}\` header; before the first event, the empty answer.`;

/** OpenAPI: the `as_of` parameter and its refusals (400 for a malformed one comes with the route's). */
export function ApiAsOf(): MethodDecorator {
  const error = { schema: { type: 'object', properties: { message: { type: 'string' } } } } as const;
  return applyDecorators(
    ApiQuery({ name: 'as_of', required: false, type: String, description: AS_OF_DESCRIPTION }),
    ApiConflictResponse({ description: 'as_of names a position beyond the last event of the log', ...error }),
    ApiServiceUnavailableResponse({
      description: 'as_of names a position the views have not reached yet (after a short wait); retry',
      ...error,
    }),
    ApiResponse({
      status: 501,
      description: 'This service keeps no history of its views ([service] view_history=false)',
      ...error,
    }),
  );
}

/** The first `as_of` of a query string (DLRN's rule for repeated parameters), or null. */
export function asOfParameter(request: FastifyRequest): string | null {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.['as_of'];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (first === undefined) return null;
  if (typeof first !== 'string') throw new DlrnHttpError(400, 'as_of must be a single value');
  return first;
}

/**
 * Resolves a request's `as_of` to a moment of the history (400 when malformed, 409 past the
 * log, 503 past the views after a short wait), and marks the answer with its position.
 */
@Injectable()
export class TimeTravel {
  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(ViewVersion) private readonly views: ViewVersion,
    @Inject(ReadModelStore) private readonly readModels: Pick<ReadModelStore, 'keepsHistory'>,
  ) {}

  /** Null when the request has no `as_of`: answer now. */
  async of(request: FastifyRequest, reply: Pick<FastifyReply, 'header'>): Promise<TimePoint | null> {
    const raw = asOfParameter(request);
    if (raw === null) return null;
    const point = await this.resolve(raw);
    void reply.header(AS_OF_HEADER, String(point.position));
    return point;
  }

  /**
   * One `as_of` value resolved to a moment of the history: 501 when no history is kept, 400 when
   * malformed (`parameter` names it, for routes with several), 409 past the log, 503 past the
   * views after a short wait.
   */
  async resolve(raw: string, parameter: string | null = null): Promise<TimePoint> {
    if (!this.readModels.keepsHistory) {
      throw new DlrnHttpError(501, 'as_of: this service keeps no history of its views ([service] view_history=false)');
    }
    try {
      return await resolveAsOf(parseAsOf(raw), this.events, this.views);
    } catch (error) {
      if (error instanceof AsOfInputError) {
        throw new DlrnHttpError(400, parameter === null ? error.message : `Invalid ${parameter}: ${error.message}`);
      }
      if (error instanceof AsOfUnavailableError) {
        throw new DlrnHttpError(
          error.transient ? 503 : 409,
          error.message,
          error.transient ? { 'retry-after': '1' } : {},
        );
      }
      throw error;
    }
  }

  /**
   * `compute(now)` cached: for now under the views version (`ViewVersion.cached`, `nowKey` may
   * hold the clock's share of the key), for a past moment under its position, with its
   * recording time as now (epoch seconds).
   */
  cached<T>(
    point: TimePoint | null,
    key: string,
    compute: (now: number) => Promise<T>,
    nowKey: (now: number) => string = () => '',
  ): Promise<T> {
    if (point === null) {
      const now = Math.floor(Date.now() / 1000);
      return this.views.cached(`${nowKey(now)}${key}`, () => compute(now));
    }
    return this.views.cachedAsOf(`@${point.position}:${key}`, () => compute(secondsOf(point)));
  }
}

/** A moment's "now" in DLRN's unit, whole epoch seconds. */
export function secondsOf(point: TimePoint): number {
  return Math.floor(point.instant.getTime() / 1000);
}
