import type { BuildDoc } from '#domain/projections/builds.projection.js';
import { FLAG_PURGED } from '#domain/projections/builds.projection.js';
import { markup, type SafeHtml } from './html.js';
import { link, pageHref, renderPage, repoDirOf, repoHref, type PageLinks } from './page-layout.js';
import { commitUrlPrefix, pythonStr, utcDateTime, type ReportSettings } from './report-format.js';

/** The tail of a build's `rpmbuild.log`, as read from disk. */
export interface BuildLog {
  readonly text: string;
  /** Size of the whole file, in bytes. */
  readonly size: number;
  /** True when only the last part of the file is in `text`. */
  readonly truncated: boolean;
}

function statusOf(build: BuildDoc): string {
  if (build.status !== null) return build.status;
  return build.abandoned ? 'ABANDONED' : 'BUILDING';
}

/** A repository a success made, compared with `current` (the repo diff page). */
function compareLink(build: BuildDoc, links: PageLinks): SafeHtml | string {
  if (build.status !== 'SUCCESS' || build.repoDir === null || links.mode !== 'live') return '';
  const from = `${build.commitHash}_${build.distroHash.slice(0, 8)}`;
  return markup` (${link(pageHref(links, 'diff.html', { from, to: 'current' }), 'compare with current')})`;
}

/** `build/<buildId>.html`: every field of one build attempt and its rpmbuild.log. */
export function renderBuildPage(
  build: BuildDoc,
  log: BuildLog | null,
  settings: ReportSettings,
  links: PageLinks,
): string {
  const dir = repoDirOf(build);
  const status = statusOf(build);
  const field = (name: string, value: SafeHtml | string | number | null): SafeHtml =>
    markup`<dt>${name}</dt>
      <dd>${value === null ? '' : value}</dd>`;
  const flags: string[] = [];
  if (build.flags & FLAG_PURGED) flags.push('purged');
  if (build.rechecked) flags.push('rechecked (no longer counts)');
  if (build.abandoned) flags.push('abandoned');
  const fields = markup`<dl class="fields">
    ${field('Status', markup`<span class="status status-${status}">${status}</span>`)}
    ${field('Package', link(pageHref(links, 'report.html', { package: build.package }), build.package))}
    ${field('Project', build.project)} ${field('Component', build.component)}
    ${field('Commit', markup`<span class="mono">${link(`${commitUrlPrefix(build.upstreamUrl)}${build.commitHash}`, build.commitHash)}</span>`)}
    ${field('Distro hash', markup`<span class="mono">${build.distroHash}</span>`)}
    ${field('Extended hash', markup`<span class="mono">${pythonStr(build.extendedHash)}</span>`)}
    ${field('Branch', build.commitBranch)} ${field('Commit date (UTC)', utcDateTime(build.dtCommit))}
    ${field('Build date (UTC)', utcDateTime(build.dtBuild))} ${field('NVR', build.nvr)}
    ${field('Repository', markup`${link(repoHref(links, dir), dir)}${compareLink(build, links)}`)}
    ${field('Artifacts', build.artifacts.length === 0 ? 'None' : markup`${build.artifacts.map((a) => markup`<div class="mono">${a}</div>`)}`)}
    ${field('Notes', build.notes)} ${field('Upstream', build.upstreamUrl)}
    ${settings.downstream ? field('Import source', build.versionsCsv) : ''} ${field('Attempt', build.attempt)}
    ${field('Builder', build.builderId)} ${field('Build id', markup`<span class="mono">${build.buildId}</span>`)}
    ${field('Flags', flags.join(', ') || 'none')}
  </dl>`;
  const logSection =
    log === null
      ? markup`<p class="empty">No rpmbuild.log on this server for this build.</p>`
      : markup`${log.truncated ? markup`<p class="note">The log is ${log.size} bytes; showing its last ${Buffer.byteLength(log.text)} bytes.</p>` : ''}
          <pre class="log" id="rpmbuild-log">${log.text}</pre>`;
  const body = markup`${fields}
    <h2>rpmbuild.log ${link(repoHref(links, dir, 'rpmbuild.log'), '(raw)')}</h2>
    ${logSection}`;
  return renderPage({
    title: `${build.package} ${build.commitHash.slice(0, 7)} — ${settings.projectName} Packaging By DLRN`,
    heading: `${build.package} — ${status}`,
    links,
    active: 'build',
    subtitle: `build of ${build.commitHash} at ${utcDateTime(build.dtBuild) || 'not started'}`,
    body,
  });
}
