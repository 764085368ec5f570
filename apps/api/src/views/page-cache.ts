import type { FastifyRequest } from 'fastify';
import { markCachedAnswer, markUnknownInput } from './hot-answers.js';
import { cachedAnswerVersion, type ViewVersion } from './view-version.js';

/** What a page sets on its reply (a FastifyReply is one). */
export interface PageReply {
  status(code: number): { header(name: string, value: string): unknown };
}

/** A rendered page: what its handler answers. */
export interface Page {
  readonly status?: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * A page rendered once per views version, minute (pages show "days since") and `key`, then
 * answered from the views cache. `key` names the page and its validated input only (never the
 * raw URL: unknown parameters would each make an entry); errors are not kept.
 */
export async function cachedPage(
  views: ViewVersion,
  request: FastifyRequest,
  reply: PageReply,
  key: string,
  render: () => Promise<Page>,
  /** The log position of an `as_of` page: kept under it, across views versions (immutable). */
  asOfPosition: number | null = null,
): Promise<string> {
  // Only pages found are kept: a 404 for every made-up id would push real pages out.
  const bytes = (rendered: Page) => ((rendered.status ?? 200) === 200 ? rendered.body.length * 2 : Infinity);
  const page =
    asOfPosition === null
      ? await views.cached(`page:${Math.floor(Date.now() / 60_000)}:${key}`, render, bytes)
      : await views.cachedAsOf(`page:@${asOfPosition}:${key}`, render, bytes);
  const version = cachedAnswerVersion(page);
  if (version !== undefined) markCachedAnswer(request, version);
  // Pages with a query string are served from the views cache (keyed on their input), not
  // replayed by URL: dashboards poll the bare pages.
  if (request.url.includes('?')) markUnknownInput(request);
  void reply.status(page.status ?? 200).header('content-type', page.contentType);
  return page.body;
}
