import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ViewNotBuiltError } from '#domain/projections/projection.js';
import { StorageError } from '#domain/shared/errors.js';
import { asStorageError } from '#infrastructure/storage/storage-failure.js';
import { DlrnHttpError } from './dlrn-http.error.js';

/**
 * Every error answers `{"message": …}` with its status, as DLRN does. A store that failed (full,
 * read-only, unreachable) answers 507 or 503 naming the store, never a path. Errors nobody
 * expected are logged with the request and answered 500 without internals.
 */
@Catch()
export class DlrnExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const [status, message, headers] = this.describe(error, request);
    // JSON whatever type the route declared (`/metrics` declares text/plain before it runs).
    void reply.status(status).headers(headers).type('application/json; charset=utf-8').send({ message });
  }

  private describe(error: unknown, request: FastifyRequest): [number, string, Readonly<Record<string, string>>] {
    if (error instanceof DlrnHttpError) return [error.status, error.message, error.headers];
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status === 404) return [404, notFoundMessage(request.method, request.url), {}];
      return [status, error.message, {}];
    }
    // `dlrn api` before any projector ran: the answer will come, so 503 rather than 500.
    if (error instanceof ViewNotBuiltError)
      return [503, `Service Unavailable: ${error.message}`, { 'retry-after': '5' }];
    const storage = asStorageError(error, 'storage');
    if (storage instanceof StorageError) {
      // Reads keep being answered from what is stored; a write that could not be stored says so
      // (507 when out of space, 503 otherwise) and may be sent again once the store recovers.
      this.log.error({ err: error, method: request.method, url: request.url }, 'storage failure');
      if (storage.failure === 'full') return [507, `Insufficient Storage: ${storage.message}`, { 'retry-after': '60' }];
      return [503, `Service Unavailable: ${storage.message}`, { 'retry-after': '30' }];
    }
    const fastifyStatus = (error as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return [fastifyStatus, (error as Error).message, {}];
    }
    this.log.error({ err: error, method: request.method, url: request.url }, 'unhandled error');
    return [500, 'Internal Server Error', {}];
  }
}

/** The 404 message of a path no route serves: `Not Found: DELETE /api/nothing`. */
export function notFoundMessage(method: string, url: string): string {
  return `Not Found: ${method} ${url.split('?', 1)[0]}`;
}
