import type { PackageBuild, PackageStatusDoc } from '#domain/projections/package-status.projection.js';
import { escapeHtml, markup, type SafeHtml } from './html.js';
import { link, pageHref, renderPage, repoHref, type PageLinks } from './page-layout.js';
import { capitalize, commitUrlPrefix, daysBetween, pythonStr, type ReportSettings } from './report-format.js';

/** A package row of the status report: its status document and its upstream URL (for links). */
export interface StatusRow {
  readonly doc: PackageStatusDoc;
  /** The upstream of the failing commit (from its build), for the first-failure link. */
  readonly firstFailureUpstream: string | null;
}

/** DLRN's heading of report.html and status_report.html: `<Reponame> - <Target> (<source>)`. */
export function reportHeading(settings: ReportSettings, reponame: string | null = settings.reponame): string {
  return `${capitalize(reponame)} - ${capitalize(settings.target)} (${pythonStr(settings.source)})`;
}

/** Packages DLRN lists: those with a finished build, sorted by name. */
export function reportedPackages(docs: readonly PackageStatusDoc[]): PackageStatusDoc[] {
  return docs
    .filter((d): d is PackageStatusDoc & { lastBuild: PackageBuild } => d.lastBuild !== null)
    .sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}

function statusCell(links: PageLinks, build: PackageBuild): SafeHtml {
  // DLRN shows SUCCESS, RETRY, or FAILED for anything else, each linking to the build log.
  const status = build.status === 'SUCCESS' || build.status === 'RETRY' ? build.status : 'FAILED';
  const badge = markup`<span class="status status-${status}">${status}</span>`;
  return link(repoHref(links, build.repoDir, 'rpmbuild.log'), badge);
}

/**
 * DLRN's "first failure after success": the upstream commit link and its build log, or `??????`
 * when no failure qualifies (DLRN crashes there).
 */
function firstFailureCell(links: PageLinks, row: StatusRow): SafeHtml {
  const failure = row.doc.firstFailure;
  if (failure === null) return markup`??????`;
  const commitLink = link(`${commitUrlPrefix(row.firstFailureUpstream)}${failure.commitHash}`, failure.commitHash);
  const logLink = link(repoHref(links, failure.repoDir, 'rpmbuild.log'), 'build log');
  return markup`<span class="mono">${commitLink}</span> (${logLink})${bisectionNote(row)}`;
}

/** The bisection of the breakage, when one ran: its culprit, that it runs, or why it found none. */
function bisectionNote(row: StatusRow): SafeHtml | string {
  const bisection = row.doc.bisection;
  if (!bisection) return '';
  const { culprit } = bisection;
  if (culprit !== null) {
    const commit = link(`${commitUrlPrefix(row.firstFailureUpstream)}${culprit.commitHash}`, culprit.commitHash);
    return markup`<br><span class="bisection bisection-culprit">culprit: <span class="mono">${commit}</span> (${bisection.steps} steps)</span>`;
  }
  if (bisection.state === 'running') {
    return markup`<br><span class="bisection bisection-running">bisecting ${bisection.candidates} commits (${bisection.steps} steps built)</span>`;
  }
  return markup`<br><span class="bisection bisection-inconclusive">bisection inconclusive: ${bisection.reason ?? ''} ${bisection.detail ?? ''}</span>`;
}

function daysCell(doc: PackageStatusDoc, now: number): SafeHtml {
  const since = doc.lastSuccess?.dtBuild ?? null;
  if (doc.lastSuccess === null || since === null) return markup`<span data-sort="-1">Never</span>`;
  const days = daysBetween(since, now);
  return markup`<span data-sort="${days}">${days} days</span>`;
}

/** `status_report.html` (§7): one row per built package; failing ones get class `failure`. */
export function renderStatusReportHtml(
  rows: readonly StatusRow[],
  settings: ReportSettings,
  links: PageLinks,
  now: number,
): string {
  const body = rows.map((row) => {
    const { doc } = row;
    const build = doc.lastBuild!;
    const failed = build.status !== 'SUCCESS' && build.status !== 'RETRY';
    const trClass = failed ? 'failure' : build.status === 'RETRY' ? 'retry' : null;
    return markup`
        <tr${trClass ? markup` class="${trClass}"` : ''} data-package="${doc.package}">
          <td>${link(links.mode === 'live' ? pageHref(links, 'report.html', { package: doc.package }) : null, doc.package)}</td>
          <td class="mono">${build.nvr ?? ''}</td>
          <td class="hash">${build.commitHash}</td>
          <td>${statusCell(links, build)}</td>
          <td class="hash">${failed ? firstFailureCell(links, row) : ''}</td>
          <td>${failed ? daysCell(doc, now) : ''}</td>
        </tr>`;
  });
  const failing = rows.filter((r) => r.doc.lastBuild!.status === 'FAILED').length;
  const table = markup`
    <table id="dlrn" class="dlrn">
      <thead>
        <tr>
          <th>Project Name</th>
          <th>NVR</th>
          <th>Tarball SHA</th>
          <th>Status</th>
          <th>First failure after success</th>
          <th>Number of days since last success</th>
        </tr>
      </thead>
      <tbody>${body}
      </tbody>
    </table>
    ${rows.length === 0 ? markup`<p class="empty">No package has been built yet.</p>` : ''}`;
  return renderPage({
    title: `${settings.projectName} Packaging By DLRN`,
    heading: reportHeading(settings),
    links,
    active: 'status',
    subtitle: `${rows.length} packages, ${failing} failing`,
    body: table,
  });
}

/**
 * `status_report.csv` exactly as DLRN writes it: `None` for nulls, artifacts joined by `|`,
 * every value HTML-escaped (DLRN's template engine autoescapes), one `\n` after each line.
 */
export function renderStatusReportCsv(docs: readonly PackageStatusDoc[]): string {
  const lines = docs.map((doc) => {
    const b = doc.lastBuild!;
    const artifacts = b.artifacts.length === 0 ? null : b.artifacts.join(',').replaceAll(',', '|');
    return [
      doc.package,
      b.commitHash,
      b.distroHash,
      pythonStr(b.extendedHash),
      pythonStr(b.component),
      b.status,
      pythonStr(b.dtBuild === null ? null : Math.trunc(b.dtBuild)),
      pythonStr(artifacts),
    ]
      .map(escapeHtml)
      .join(',');
  });
  return ['Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages', ...lines]
    .map((line) => `${line}\n`)
    .join('');
}
