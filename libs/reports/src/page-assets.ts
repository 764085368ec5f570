/** The dashboard's stylesheet (served at `/api/static/styles.css`, copied to `<datadir>/repos/`). */
export const STYLES_CSS = `:root {
  --bg: #f7f8fa; --fg: #1f2328; --muted: #5b636d; --line: #d8dee4; --head: #eef1f4;
  --ok: #1a7f37; --ok-bg: #e9f7ee; --bad: #c62828; --bad-bg: #fdecec; --warn: #9a6700; --warn-bg: #fff5d6;
  --link: #0a5db8; --nav: #14324f;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
.topnav { display: flex; flex-wrap: wrap; gap: 2px; padding: 0 16px; background: var(--nav); }
.topnav a { color: #dfe9f3; padding: 10px 12px; }
.topnav a.active { color: #fff; background: rgba(255, 255, 255, .14); font-weight: 600; }
.topnav a.csv { margin-left: auto; opacity: .8; }
main { padding: 8px 20px 32px; overflow-x: auto; }
h1 { font-size: 22px; font-weight: 600; margin: 14px 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
table.dlrn { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
table.dlrn th, table.dlrn td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.dlrn th { background: var(--head); position: sticky; top: 0; font-weight: 600; }
table.dlrn th.sortable { cursor: pointer; user-select: none; }
table.dlrn th.sortable::after { content: " \\2195"; color: var(--muted); font-size: 11px; }
table.dlrn th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.dlrn th[aria-sort="descending"]::after { content: " \\25BC"; }
table.dlrn tbody tr:hover { background: #f3f6f9; }
table.dlrn tr.failure { background: var(--bad-bg); }
table.dlrn tr.failure:hover { background: #fadcdc; }
table.dlrn tr.retry { background: var(--warn-bg); }
table.dlrn td.hash, code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
table.dlrn td { overflow-wrap: anywhere; }
table.dlrn td.hash { word-break: break-all; min-width: 8ch; }
table.dlrn td.date { min-width: 10ch; }
.status { display: inline-block; min-width: 64px; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; text-align: center; }
.status-SUCCESS { color: var(--ok); background: var(--ok-bg); }
.status-FAILED { color: var(--bad); background: var(--bad-bg); border: 1px solid #f3b9b9; }
.status-RETRY, .status-IN-PROGRESS, .status-building { color: var(--warn); background: var(--warn-bg); }
.status-NONE, .status-waiting { color: var(--muted); background: var(--head); }
a .status { text-decoration: none; }
.filters { margin: 0 0 10px; color: var(--muted); }
.chip { display: inline-block; margin: 1px 6px 1px 0; padding: 1px 8px; border-radius: 10px; background: var(--head); color: var(--fg); }
.pager { display: flex; align-items: center; gap: 12px; margin: 10px 0; }
.pager .range { color: var(--muted); }
.button { display: inline-block; padding: 4px 12px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
.empty { color: var(--muted); font-style: italic; padding: 12px; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff;
  border: 1px solid var(--line); padding: 12px 16px; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; word-break: break-all; }
pre.log { background: #0f1720; color: #d6e2ee; padding: 12px 14px; overflow: auto; max-height: 70vh;
  font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; }
.note { color: var(--muted); }
`;

/**
 * Sorts a `table.dlrn` by a clicked header (cells may carry `data-sort`); no dependencies,
 * no network. The pages work without it.
 */
export const SORT_JS = `(function () {
  'use strict';
  function key(cell) {
    if (!cell) return '';
    var v = cell.getAttribute('data-sort');
    if (v === null) v = cell.textContent.trim();
    var n = Number(v);
    return v !== '' && !isNaN(n) ? n : v.toLowerCase();
  }
  document.querySelectorAll('table.dlrn').forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) return;
    table.querySelectorAll('thead th').forEach(function (th, index) {
      th.classList.add('sortable');
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('thead th').forEach(function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[index]), y = key(b.cells[index]);
          if (x === y) return 0;
          return (x < y ? -1 : 1) * (asc ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
`;
