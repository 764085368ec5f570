import type { QueueDoc } from '#domain/projections/queue.projection.js';
import { dlrnTable } from './dlrn-table.js';
import { markup } from './html.js';
import { link, renderPage, type PageLinks } from './page-layout.js';
import { commitUrlPrefix, utcDateTime, type ReportSettings } from './report-format.js';
import { reportHeading } from './status-report.renderer.js';

/**
 * `queue.html`, "Pending commits": DLRN lists the commits queued by the running pass; we list
 * every commit discovered and not built yet, waiting or being built, oldest commit first.
 */
export function renderQueue(queue: readonly QueueDoc[], settings: ReportSettings, links: PageLinks): string {
  const rows = queue.map(
    (q) =>
      markup`<tr class="${q.state}">
        <td class="date" data-sort="${q.dtCommit}">${utcDateTime(q.dtCommit)}</td>
        <td>${q.package}</td>
        <td class="hash">${link(`${commitUrlPrefix(q.upstreamUrl)}${q.commitHash}`, q.commitHash)}</td>
        <td>${q.component ?? ''}</td>
        <td><span class="status status-${q.state}">${q.state}</span></td>
        <td>${q.builderId ?? ''}</td>
        <td>${q.retries}</td>
        <td>${q.queuedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}</td>
      </tr>`,
  );
  const building = queue.filter((q) => q.state === 'building').length;
  const headings = markup`<th>Commit Date Time</th>
          <th>Project Name</th>
          <th>Commit Hash</th>
          <th>Component</th>
          <th>State</th>
          <th>Builder</th>
          <th>Retries</th>
          <th>Queued at (UTC)</th>`;
  const body = dlrnTable(headings, rows, 'Nothing to build.');
  return renderPage({
    title: `${settings.projectName} Packaging By DLRN`,
    heading: `Pending commits — ${reportHeading(settings)}`,
    links,
    active: 'queue',
    subtitle: `${queue.length} pending, ${building} building`,
    body,
  });
}
