import { markup } from './html.js';

export interface ListedEntry {
  readonly name: string;
  readonly href: string;
  /** Bytes; null for a directory. */
  readonly size: number | null;
  readonly modified: Date | null;
}

/**
 * A plain directory index for `/repos/…` as httpd's `Indexes` shows it (name, modification time,
 * size), so the hashed repositories can be browsed as on DLRN's public sites.
 */
export function renderDirectoryListing(
  path: string | null,
  dirs: readonly ListedEntry[],
  files: readonly ListedEntry[],
): string {
  const byName = (a: ListedEntry, b: ListedEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const row = (entry: ListedEntry, suffix: string) =>
    markup`<tr><td><a href="${entry.href}${suffix}">${entry.name}${suffix}</a></td><td>${
      entry.modified ? entry.modified.toISOString().replace('T', ' ').slice(0, 19) : ''
    }</td><td>${entry.size === null ? '-' : entry.size}</td></tr>`;
  const title = path === null ? 'Empty directory' : `Index of ${path}`;
  return markup`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>
<table><thead><tr><th>Name</th><th>Last modified (UTC)</th><th>Size</th></tr></thead><tbody>
${path === '/repos/' || path === null ? '' : markup`<tr><td><a href="../">../</a></td><td></td><td>-</td></tr>`}
${[...dirs].sort(byName).map((d) => row(d, '/'))}
${[...files].sort(byName).map((f) => row(f, ''))}
</tbody></table></body></html>
`.value;
}
