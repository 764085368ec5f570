import { markup, type SafeHtml } from './html.js';
import { link, pageHref, renderPage, repoHref, type PageLinks } from './page-layout.js';
import { commitUrlPrefix, shortRepoHash, type ReportSettings } from './report-format.js';
import { reportHeading } from './status-report.renderer.js';

/** One package of a repository's snapshot, as the diff shows it. */
export interface DiffPackageView {
  readonly name: string;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly status: string;
  readonly nvr: string | null;
}

/** One side of the diff: what was asked and the repository it named. */
export interface DiffSideView {
  readonly ref: string;
  readonly asOf: string | null;
  readonly repoDir: string;
  readonly commitHash: string;
  readonly distroHash: string;
  readonly buildId: string;
  readonly packages: number;
}

export interface DiffChangeView {
  readonly name: string;
  readonly from: DiffPackageView;
  readonly to: DiffPackageView;
  readonly upstreamChanged: boolean;
  readonly distgitChanged: boolean;
  readonly upstreamUrl: string | null;
}

export interface RepoDiffView {
  readonly from: DiffSideView;
  readonly to: DiffSideView;
  readonly added: readonly DiffPackageView[];
  readonly removed: readonly DiffPackageView[];
  readonly changed: readonly DiffChangeView[];
  readonly unchanged: number;
}

/**
 * The web page comparing two upstream commits, where the forge has one (GitHub, opendev's
 * Gitea: `/compare/<a>...<b>`); null elsewhere (cgit has none): the two commit links remain.
 */
export function compareUrl(upstream: string | null, fromCommit: string, toCommit: string): string | null {
  if (!upstream) return null;
  const prefix = commitUrlPrefix(upstream);
  const forge = /^(https:\/\/(?:github\.com|opendev\.org)\/.+)\/commit\/$/.exec(prefix);
  return forge ? `${forge[1]}/compare/${fromCommit}...${toCommit}` : null;
}

/**
 * A commit's web page where the forge is known (DLRN's `get_commit_url` gives the bare upstream
 * URL for others, which names no commit): null otherwise.
 */
export function commitUrl(upstream: string | null, commitHash: string): string | null {
  const prefix = commitUrlPrefix(upstream);
  return prefix === '' || prefix === upstream ? null : `${prefix}${commitHash}`;
}

function commitLink(upstream: string | null, commitHash: string): SafeHtml {
  return link(commitUrl(upstream, commitHash), commitHash.slice(0, 12));
}

function sideHeading(links: PageLinks, label: string, side: DiffSideView): SafeHtml {
  const hash = shortRepoHash(side.commitHash, side.distroHash);
  const named = side.ref === hash ? '' : markup` (${side.ref}${side.asOf ? ` as of ${side.asOf}` : ''})`;
  return markup`<p class="diff-side"><strong>${label}</strong>: ${link(repoHref(links, side.repoDir), hash)}${named},
      ${side.packages} packages, built by ${link(`${links.up}build/${encodeURIComponent(side.buildId)}.html`, 'build')}</p>`;
}

function packageRows(packages: readonly DiffPackageView[], cls: string): SafeHtml[] {
  return packages.map(
    (p) => markup`<tr class="${cls}" data-package="${p.name}">
        <td>${cls}</td>
        <td>${p.name}</td>
        <td class="mono">${p.nvr ?? ''}</td>
        <td class="hash">${p.commitHash}</td>
        <td class="hash">${p.distroHash}</td>
        <td>${p.status}</td>
      </tr>`,
  );
}

function changeRow(change: DiffChangeView): SafeHtml {
  const { from, to, upstreamUrl } = change;
  const compare = change.upstreamChanged ? compareUrl(upstreamUrl, from.commitHash, to.commitHash) : null;
  const upstream = change.upstreamChanged
    ? markup`${commitLink(upstreamUrl, from.commitHash)} → ${commitLink(upstreamUrl, to.commitHash)}${
        compare ? markup` (${link(compare, 'changes')})` : ''
      }`
    : markup`unchanged`;
  const distgit = change.distgitChanged
    ? markup`<span class="mono">${from.distroHash.slice(0, 12)} → ${to.distroHash.slice(0, 12)}</span>`
    : markup`unchanged`;
  return markup`<tr class="changed" data-package="${change.name}">
        <td>${change.name}</td>
        <td class="mono">${from.nvr ?? ''}</td>
        <td class="mono">${to.nvr ?? ''}</td>
        <td class="hash">${upstream}</td>
        <td class="hash">${distgit}</td>
        <td>${from.status === to.status ? to.status : `${from.status} → ${to.status}`}</td>
      </tr>`;
}

/** `diff.html`: what changed between two repositories, package by package. */
export function renderRepoDiff(diff: RepoDiffView, settings: ReportSettings, links: PageLinks): string {
  const changed = diff.changed.map(changeRow);
  const addedOrRemoved = [...packageRows(diff.added, 'added'), ...packageRows(diff.removed, 'removed')];
  const swap = pageHref(links, 'diff.html', { from: diff.to.ref, to: diff.from.ref });
  const body = markup`
    ${sideHeading(links, 'From', diff.from)}
    ${sideHeading(links, 'To', diff.to)}
    <p><a href="${swap}">Swap sides</a></p>
    <h2 id="changed">Changed (${diff.changed.length})</h2>
    <table class="dlrn diff-changed">
      <thead>
        <tr><th>Project Name</th><th>Old NVR</th><th>New NVR</th><th>Upstream</th><th>Dist-git</th><th>Status</th></tr>
      </thead>
      <tbody>
        ${changed}
      </tbody>
    </table>
    ${changed.length === 0 ? markup`<p class="empty">No package changed.</p>` : ''}
    <h2 id="added-removed">Added (${diff.added.length}) and removed (${diff.removed.length})</h2>
    <table class="dlrn diff-added-removed">
      <thead>
        <tr><th>Change</th><th>Project Name</th><th>NVR</th><th>Source SHA</th><th>Dist SHA</th><th>Status</th></tr>
      </thead>
      <tbody>
        ${addedOrRemoved}
      </tbody>
    </table>
    ${addedOrRemoved.length === 0 ? markup`<p class="empty">No package added or removed.</p>` : ''}`;
  return renderPage({
    title: `${settings.projectName} repository diff`,
    heading: `Repository diff — ${reportHeading(settings)}`,
    links,
    active: 'diff',
    subtitle: `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged`,
    body,
  });
}
