import { markup, type SafeHtml } from './html.js';

/** The moment a page shows (time travel, `as_of`): a log position and when its event was recorded. */
export interface ShownMoment {
  readonly position: number;
  readonly instant: Date;
}

/** "History as of <instant> (position P) — back to now", linking to the page without `as_of`. */
export function renderAsOfBanner(moment: ShownMoment, nowHref: string): SafeHtml {
  const iso = moment.instant.toISOString();
  return markup`<p class="as-of" role="status">History as of <time datetime="${iso}">${iso}</time> (position ${moment.position}) — <a href="${nowHref}">back to now</a></p>`;
}

/**
 * A rendered page with the banner first in its content (after `<main>`, else after `<body>`;
 * a page with neither gets it first).
 */
export function withAsOfBanner(page: string, moment: ShownMoment, nowHref: string): string {
  const banner = renderAsOfBanner(moment, nowHref).value;
  for (const tag of [/<main[^>]*>/i, /<body[^>]*>/i]) {
    const found = tag.exec(page);
    if (found !== null) {
      const at = found.index + found[0].length;
      return `${page.slice(0, at)}\n    ${banner}${page.slice(at)}`;
    }
  }
  return `${banner}\n${page}`;
}
