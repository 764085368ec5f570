import { shardedRepoDir } from '#domain/repo/repo-path.js';
import { markup, raw, type SafeHtml } from './html.js';

/**
 * Where a page's links point. Live pages are served by the API under `/api/` (repositories
 * through `baseurl`, build pages beside them); static copies sit in `<datadir>/repos/` and link
 * the hashed directories relatively, as DLRN's do.
 */
export interface PageLinks {
  readonly mode: 'live' | 'static';
  /** From the current page back to the directory of the pages: '' or '../'. */
  readonly up: string;
  /** Prefix of a hashed repository directory; null when there is nowhere to link (no baseurl). */
  readonly repos: string | null;
}

export function liveLinks(baseurl: string | null, up = ''): PageLinks {
  return { mode: 'live', up, repos: baseurl ? `${baseurl.replace(/\/+$/, '')}/` : null };
}

export const STATIC_LINKS: PageLinks = { mode: 'static', up: '', repos: '' };

export type PageName = 'status' | 'report' | 'queue' | 'civotes' | 'civotes_agg' | 'build' | 'diff';

export function pageHref(
  links: PageLinks,
  file: string,
  query?: Readonly<Record<string, string | number | null>>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== null) params.set(key, String(value));
  const search = params.toString();
  return `${links.up}${file}${search ? `?${search}` : ''}`;
}

export function assetHref(links: PageLinks, name: string): string {
  return links.mode === 'live' ? `${links.up}static/${name}` : name;
}

/** The build's own page (live only: static copies have none). */
export function buildHref(links: PageLinks, buildId: string): string | null {
  return links.mode === 'live' ? `${links.up}build/${encodeURIComponent(buildId)}.html` : null;
}

/** A build's hashed directory: the one its result recorded, else DLRN's formula. */
export function repoDirOf(build: {
  readonly repoDir: string | null;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly component: string | null;
}): string {
  return build.repoDir ?? shardedRepoDir(build);
}

export function repoHref(links: PageLinks, repoDir: string, file = ''): string | null {
  if (links.repos === null) return null;
  const path = repoDir.split('/').map(encodeURIComponent).join('/');
  return `${links.repos}${path}${file ? `/${file}` : ''}`;
}

/** Schemes a link may use; anything else (`javascript:`, `data:`) is shown as text, not linked. */
const SAFE_SCHEME = /^(https?|ftp|file):/i;

/** A URL safe to put in `href`: relative, or with an allowed scheme. */
export function isSafeHref(href: string): boolean {
  // Browsers ignore control characters and spaces inside a scheme (`java\tscript:`).
  const compact = [...href].filter((c) => c.charCodeAt(0) > 0x20).join('');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  return scheme === null || SAFE_SCHEME.test(scheme[0]);
}

/** `<a href>` when there is somewhere (safe) to go, the bare text otherwise. */
export function link(href: string | null, text: unknown, attrs: { readonly cls?: string } = {}): SafeHtml {
  if (href === null || href === '' || !isSafeHref(href)) return markup`${text}`;
  return markup`<a href="${href}"${attrs.cls ? markup` class="${attrs.cls}"` : ''}>${text}</a>`;
}

const NAV: readonly { readonly page: PageName; readonly file: string; readonly label: string; readonly live?: true }[] =
  [
    { page: 'status', file: 'status_report.html', label: 'Package status' },
    { page: 'report', file: 'report.html', label: 'Builds' },
    { page: 'queue', file: 'queue.html', label: 'Queue' },
    { page: 'civotes', file: 'civotes.html', label: 'CI votes', live: true },
    { page: 'civotes_agg', file: 'civotes_agg.html', label: 'Aggregate votes', live: true },
  ];

export interface PageOptions {
  /** The `<title>`. */
  readonly title: string;
  /** The `<h1>`. */
  readonly heading: string;
  readonly links: PageLinks;
  readonly active: PageName;
  readonly body: SafeHtml;
  /** Small print under the heading (counts, filters). */
  readonly subtitle?: SafeHtml | string;
}

/** The page shell: stylesheet, nav bar, heading, content, and the table-sorting script. */
export function renderPage(options: PageOptions): string {
  const { links } = options;
  const current = raw(' class="active" aria-current="page"');
  const nav = NAV.filter((item) => links.mode === 'live' || !item.live).map(
    (item) =>
      markup`<a href="${pageHref(links, item.file)}"${item.page === options.active ? current : ''}>${item.label}</a>`,
  );
  const csv = markup`<a href="${pageHref(links, 'status_report.csv')}" class="csv">status_report.csv</a>`;
  return markup`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${options.title}</title>
    <link rel="stylesheet" href="${assetHref(links, 'styles.css')}">
  </head>
  <body>
    <nav class="topnav">${nav}${csv}</nav>
    <main>
    <h1>${options.heading}</h1>
    ${options.subtitle === undefined ? '' : markup`<p class="subtitle">${options.subtitle}</p>`}
    ${options.body}
    </main>
    <script src="${assetHref(links, 'sort.js')}"></script>
  </body>
</html>
`.value;
}

/** Previous/next links keeping the other query parameters, as DLRN's navigation buttons do. */
export function pager(
  links: PageLinks,
  file: string,
  query: Readonly<Record<string, string | number | null>>,
  page: { readonly offset: number; readonly shown: number; readonly pageSize: number; readonly hasMore: boolean },
  noun: string,
): SafeHtml {
  const at = (offset: number) => pageHref(links, file, { ...query, offset });
  const size = page.pageSize;
  const previous =
    page.offset > 0
      ? markup`<a class="button" rel="prev" href="${at(Math.max(0, page.offset - size))}">Previous ${size} ${noun}</a>`
      : '';
  const next = page.hasMore
    ? markup`<a class="button" rel="next" href="${at(page.offset + size)}">Next ${size} ${noun}</a>`
    : '';
  const range = page.shown === 0 ? 'none' : `${page.offset + 1}–${page.offset + page.shown}`;
  return markup`<div class="pager">${previous}<span class="range">${noun} ${range}</span>${next}</div>`;
}
