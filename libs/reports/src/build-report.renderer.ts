import type { BuildDoc } from '#domain/projections/builds.projection.js';
import { markup, type SafeHtml } from './html.js';
import { buildHref, link, pageHref, pager, renderPage, repoDirOf, repoHref, type PageLinks } from './page-layout.js';
import {
  commitUrlPrefix,
  releaseOfArtifacts,
  utcDateTime,
  versionOfArtifacts,
  type ReportSettings,
} from './report-format.js';
import { reportHeading } from './status-report.renderer.js';

/** The filters of the live report.html (DLRN's `package`, `component`, `success`, `offset`). */
export interface BuildReportFilters {
  readonly package: string | null;
  readonly component: string | null;
  /** DLRN's `success`: `1` shows SUCCESS builds, any other value FAILED ones. */
  readonly success: string | null;
  readonly offset: number;
}

export const NO_FILTERS: BuildReportFilters = { package: null, component: null, success: null, offset: 0 };

/** Rows per page of the live report (DLRN's pagination limit). */
export const REPORT_PAGE_SIZE = 100;

export interface BuildReportPage {
  readonly builds: readonly BuildDoc[];
  readonly filters: BuildReportFilters;
  /** Builds matching the filters, all pages together. */
  readonly total: number;
}

function filterQuery(filters: BuildReportFilters): Record<string, string | null> {
  return { package: filters.package, component: filters.component, success: filters.success };
}

function filterLink(links: PageLinks, query: Record<string, string>, text: SafeHtml | string): SafeHtml {
  return links.mode === 'live' ? link(pageHref(links, 'report.html', query), text, { cls: 'filter' }) : markup`${text}`;
}

function row(build: BuildDoc, links: PageLinks, settings: ReportSettings): SafeHtml {
  const dir = repoDirOf(build);
  const success = build.status === 'SUCCESS';
  // DLRN's report shows SUCCESS, or FAILED for anything else; we keep RETRY visible as RETRY.
  const status = success ? 'SUCCESS' : build.status === 'RETRY' ? 'RETRY' : 'FAILED';
  const statusBadge = markup`<span class="status status-${status}">${status}</span>`;
  const commitLink = link(`${commitUrlPrefix(build.upstreamUrl)}${build.commitHash}`, build.commitHash);
  const buildPage = buildHref(links, build.buildId);
  // The downstream driver's Import Source: the versions.csv URL without `/versions.csv`.
  const source = build.versionsCsv?.replace(/\/versions\.csv$/, '') ?? null;
  const importSource = settings.downstream ? markup`<td>${source === null ? '' : link(source, source)}</td>` : '';
  return markup`
        <tr${success ? '' : markup` class="failure"`} data-build-id="${build.buildId}">
          <td class="date" data-sort="${build.dtBuild ?? 0}">${link(buildPage, utcDateTime(build.dtBuild))}</td>
          <td class="date" data-sort="${build.dtCommit}">${utcDateTime(build.dtCommit)}</td>
          <td>${filterLink(links, { package: build.package }, build.package)}</td>
          <td>${versionOfArtifacts(build.artifacts)}</td>
          <td class="mono">${releaseOfArtifacts(build.artifacts)}</td>
          <td class="hash">${commitLink}</td>
          <td>${build.component === null ? '' : filterLink(links, { component: build.component }, build.component)}</td>
          <td>${filterLink(links, { success: success ? '1' : '0' }, statusBadge)}</td>
          <td>${link(repoHref(links, dir), 'repo')}</td>
          <td>${link(repoHref(links, dir, 'rpmbuild.log'), 'build log')}${buildPage ? markup` · ${link(buildPage, 'details')}` : ''}</td>${importSource}
        </tr>`;
}

function activeFilters(links: PageLinks, filters: BuildReportFilters): SafeHtml | string {
  const chips: SafeHtml[] = [];
  if (filters.package !== null) chips.push(markup`<span class="chip">package: ${filters.package}</span>`);
  if (filters.component !== null) chips.push(markup`<span class="chip">component: ${filters.component}</span>`);
  if (filters.success !== null) {
    chips.push(markup`<span class="chip">status: ${filters.success === '1' ? 'SUCCESS' : 'FAILED'}</span>`);
  }
  if (chips.length === 0) return '';
  return markup`<p class="filters">Filtered by ${chips} ${link(pageHref(links, 'report.html'), 'clear filters')}</p>`;
}

/**
 * `report.html`: builds newest first. The static copy (§7) holds DLRN's last 300 non-RETRY builds;
 * the live page (§7.2) is filtered by package, component and status and paged 100 at a time.
 */
export function renderBuildReport(page: BuildReportPage, settings: ReportSettings, links: PageLinks): string {
  const live = links.mode === 'live';
  const rows = page.builds.map((b) => row(b, links, settings));
  const navigation = live
    ? pager(
        links,
        'report.html',
        filterQuery(page.filters),
        {
          offset: page.filters.offset,
          shown: page.builds.length,
          pageSize: REPORT_PAGE_SIZE,
          hasMore: page.filters.offset + page.builds.length < page.total,
        },
        'commits',
      )
    : '';
  const body = markup`${live ? activeFilters(links, page.filters) : ''}${navigation}
    <table id="dlrn" class="dlrn">
      <thead>
        <tr>
          <th>Build Date Time</th>
          <th>Commit Date Time</th>
          <th>Project Name</th>
          <th>Version</th>
          <th>Release</th>
          <th>Commit Hash</th>
          <th>Component</th>
          <th>Status</th>
          <th>Repository</th>
          <th>Build Log</th>${settings.downstream ? markup`<th>Import Source</th>` : ''}
        </tr>
      </thead>
      <tbody>${rows}
      </tbody>
    </table>
    ${rows.length === 0 ? markup`<p class="empty">No builds.</p>` : ''}${navigation}`;
  return renderPage({
    title: `${settings.projectName} Packaging By DLRN`,
    heading: live ? reportHeading(settings, 'Detailed build report') : reportHeading(settings),
    links,
    active: 'report',
    subtitle: live ? `${page.total} builds` : `the last ${page.builds.length} builds`,
    body,
  });
}
