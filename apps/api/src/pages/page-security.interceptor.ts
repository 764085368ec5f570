import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';

/**
 * What the pages may load: their own stylesheet and sorting script (`/api/static/`), nothing
 * inline, nothing from elsewhere, no forms, no plugins, and no framing by another site
 * (clickjacking). Links to repositories and CI jobs are navigation, which the policy leaves alone.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/**
 * Sets the pages' security headers before the handler runs, so that errors carry them too and
 * the hot-answer cache replays them with the page.
 */
@Injectable()
export class PageSecurityInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    void context
      .switchToHttp()
      .getResponse<FastifyReply>()
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff');
    return next.handle();
  }
}
