import { markup, type SafeHtml } from './html.js';

/**
 * A list page's `table.dlrn` (the one the pages' sort script sorts), its heading cells and rows given,
 * with `empty` under it when there is no row.
 */
export function dlrnTable(headings: SafeHtml | readonly SafeHtml[], rows: readonly SafeHtml[], empty: string): SafeHtml {
  return markup`<table id="dlrn" class="dlrn">
      <thead>
        <tr>
          ${headings}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    ${rows.length === 0 ? markup`<p class="empty">${empty}</p>` : ''}`;
}
