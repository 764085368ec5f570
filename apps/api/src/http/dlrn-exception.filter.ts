import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DlrnHttpError } from './dlrn-http.error.js';

/**
 * Every error answers `{"message": …}` with its status, as DLRN does. Errors nobody expected are
 * logged with the request and answered 500 without internals.
 */
@Catch()
export class DlrnExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const [status, message, headers] = this.describe(error, request);
    void reply.status(status).headers(headers).send({ message });
  }

  private describe(error: unknown, request: FastifyRequest): [number, string, Readonly<Record<string, string>>] {
    if (error instanceof DlrnHttpError) return [error.status, error.message, error.headers];
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status === 404) return [404, `Not Found: ${request.method} ${request.url.split('?', 1)[0]}`, {}];
      return [status, error.message, {}];
    }
    const fastifyStatus = (error as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return [fastifyStatus, (error as Error).message, {}];
    }
    this.log.error({ err: error, method: request.method, url: request.url }, 'unhandled error');
    return [500, 'Internal Server Error', {}];
  }
}
