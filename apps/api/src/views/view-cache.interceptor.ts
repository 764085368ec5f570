import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { markCachedAnswer } from './hot-answers.js';
import { cachedAnswerVersion, ViewVersion } from './view-version.js';

interface CachedPage {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/**
 * Caches what a GET handler answers (body, status, content type) under the views' position and
 * the URL, minute by minute (pages show "days since"): rendering a page is done once per change
 * of the views, not once per request.
 */
@Injectable()
export class ViewCacheInterceptor implements NestInterceptor {
  constructor(@Inject(ViewVersion) private readonly views: ViewVersion) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (request.method !== 'GET') return next.handle();
    const key = `page:${Math.floor(Date.now() / 60_000)}:${request.url}`;
    return from(
      this.views
        .cached<CachedPage>(key, async () => {
          const body = await lastValueFrom(next.handle());
          return { status: reply.statusCode, contentType: reply.getHeader('content-type') as string | undefined, body };
        })
        .then((page) => {
          const version = cachedAnswerVersion(page);
          if (version !== undefined) markCachedAnswer(request, version);
          void reply.status(page.status);
          if (page.contentType !== undefined) void reply.header('content-type', page.contentType);
          return page.body;
        }),
    );
  }
}
