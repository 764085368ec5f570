import type { CiVoteAggDoc } from '#domain/projections/ci-votes-agg.projection.js';
import type { CiVoteDoc } from '#domain/projections/ci-votes.projection.js';
import type { VoteFields } from '#domain/projections/vote-row.js';
import { dlrnTable } from './dlrn-table.js';
import { markup, type SafeHtml } from './html.js';
import { link, pageHref, pager, renderPage, type PageLinks, type PageName } from './page-layout.js';
import { capitalize, shortRepoHash, utcDateTime, type ReportSettings } from './report-format.js';

/** Votes per page, as DLRN's pagination limit. */
export const VOTES_PAGE_SIZE = 100;

/** One page of votes, newest first, and whether older ones exist. */
export interface VotePage<Vote> {
  readonly votes: readonly Vote[];
  readonly offset: number;
  readonly hasMore: boolean;
}

/** civotes_detail.html's filters (DLRN: commit_hash+distro_hash, component, ci_name; success, offset). */
export interface VoteDetailFilters {
  readonly commitHash: string | null;
  readonly distroHash: string | null;
  readonly component: string | null;
  readonly ciName: string | null;
  /** DLRN's `success`: `True` shows successful votes, any other value the others. */
  readonly success: string | null;
}

export interface AggVoteDetailFilters {
  readonly refHash: string | null;
  readonly ciName: string | null;
  readonly success: string | null;
}

interface Tally {
  readonly success: number;
  readonly failed: number;
  readonly inProgress: number;
  readonly last: number;
}

function tally(votes: readonly VoteFields[]): Tally {
  return {
    success: votes.filter((v) => v.ciVote).length,
    failed: votes.filter((v) => !v.ciVote && !v.ciInProgress).length,
    inProgress: votes.filter((v) => v.ciInProgress).length,
    last: Math.max(...votes.map((v) => v.timestamp)),
  };
}

/** Groups in the order of their newest vote, as DLRN sorts them. */
function groupBy<Vote extends VoteFields>(votes: readonly Vote[], key: (v: Vote) => string): Vote[][] {
  const groups = new Map<string, Vote[]>();
  for (const vote of votes) groups.set(key(vote), [...(groups.get(key(vote)) ?? []), vote]);
  return [...groups.values()].sort((a, b) => tally(b).last - tally(a).last);
}

function verdict(vote: VoteFields): SafeHtml {
  return vote.ciVote
    ? markup`<span class="status status-SUCCESS">SUCCESS</span>`
    : markup`<span class="status status-FAILED">FAILED</span>`;
}

function progress(vote: VoteFields): SafeHtml {
  return vote.ciInProgress
    ? markup`<span class="status status-IN-PROGRESS">IN PROGRESS</span>`
    : markup`<span class="status status-SUCCESS">FINISHED</span>`;
}

type DetailHref = (query: Record<string, string | null>) => string;

/**
 * A group's row on the summary pages: what was voted on (its leading cells), the newest vote, and
 * the counts, linked to the detail page's votes of that verdict.
 */
function groupRow(
  votes: readonly VoteFields[],
  subject: SafeHtml,
  votesOf: (success: 'True' | 'False') => string,
): SafeHtml {
  const t = tally(votes);
  return markup`
        <tr${t.failed > 0 ? markup` class="failure"` : ''}>
          ${subject}
          <td class="date" data-sort="${t.last}">${utcDateTime(t.last)}</td>
          <td>${link(votesOf('True'), t.success)}</td>
          <td>${link(votesOf('False'), t.failed)}</td>
          <td>${t.inProgress}</td>
        </tr>`;
}

/** One vote's row on the detail pages: its job, what was voted on (`subject`'s cells), the verdict. */
function voteRow(v: VoteFields, subject: SafeHtml, detail: DetailHref): SafeHtml {
  return markup`
        <tr${v.ciVote ? '' : markup` class="failure"`}>
          <td>${link(detail({ ci_name: v.ciName }), v.ciName)}</td>
          ${subject}
          <td>${v.ciUrl ? link(v.ciUrl, 'link') : ''}</td>
          <td>${verdict(v)}</td>
          <td>${progress(v)}</td>
          <td class="date" data-sort="${v.timestamp}">${utcDateTime(v.timestamp)}</td>
          <td>${v.notes}</td>
        </tr>`;
}

function votesPage(
  settings: ReportSettings,
  links: PageLinks,
  active: PageName,
  file: string,
  query: Record<string, string | null>,
  page: VotePage<unknown>,
  headings: readonly string[],
  rows: readonly SafeHtml[],
  subtitle?: SafeHtml,
): string {
  const navigation = pager(
    links,
    file,
    query,
    { offset: page.offset, shown: page.votes.length, pageSize: VOTES_PAGE_SIZE, hasMore: page.hasMore },
    'votes',
  );
  const table = dlrnTable(
    headings.map((h) => markup`<th>${h}</th>`),
    rows,
    'No votes.',
  );
  const body = markup`${navigation}
    ${table}${navigation}`;
  return renderPage({ title: 'CI Votes', heading: capitalize(settings.target), links, active, body, subtitle });
}

/** `civotes.html` (§7.2): the page's votes (non-`consistent`) grouped by repository. */
export function renderCiVotes(page: VotePage<CiVoteDoc>, settings: ReportSettings, links: PageLinks): string {
  const detail: DetailHref = (query) => pageHref(links, 'civotes_detail.html', query);
  const groups = groupBy(page.votes, (v) => `${v.commitHash}\u0000${v.distroHash}\u0000${v.extendedHash ?? ''}`);
  const rows = groups.map((votes) => {
    const first = votes[0]!;
    const repo = { commit_hash: first.commitHash, distro_hash: first.distroHash };
    const subject = markup`<td class="hash">${link(detail(repo), shortRepoHash(first.commitHash, first.distroHash))}</td>
          <td>${first.component === null ? '' : link(detail({ component: first.component }), first.component)}</td>`;
    return groupRow(votes, subject, (success) => detail({ ...repo, success }));
  });
  return votesPage(
    settings,
    links,
    'civotes',
    'civotes.html',
    {},
    page,
    ['Repo hash', 'Component', 'Last timestamp', 'Successful jobs', 'Failed jobs', 'In progress'],
    rows,
  );
}

function filterSummary(entries: readonly [string, string | null][]): SafeHtml {
  const chips = entries.filter(([, v]) => v !== null).map(([k, v]) => markup`<span class="chip">${k}: ${v}</span>`);
  return markup`Filtered by ${chips}`;
}

/** `civotes_detail.html` (§7.2): every vote matching the filters, newest first. */
export function renderCiVotesDetail(
  page: VotePage<CiVoteDoc>,
  filters: VoteDetailFilters,
  settings: ReportSettings,
  links: PageLinks,
): string {
  const detail: DetailHref = (query) => pageHref(links, 'civotes_detail.html', query);
  const rows = page.votes.map((v) => {
    const repo = { commit_hash: v.commitHash, distro_hash: v.distroHash };
    const subject = markup`<td class="hash">${link(detail(repo), shortRepoHash(v.commitHash, v.distroHash))}</td>
          <td>${v.component ?? ''}</td>`;
    return voteRow(v, subject, detail);
  });
  const query = {
    commit_hash: filters.commitHash,
    distro_hash: filters.distroHash,
    component: filters.component,
    ci_name: filters.ciName,
    success: filters.success,
  };
  return votesPage(
    settings,
    links,
    'civotes',
    'civotes_detail.html',
    query,
    page,
    ['CI Name', 'Repo hash', 'Component', 'Results URL', 'Vote', 'In Progress?', 'Timestamp', 'Notes'],
    rows,
    filterSummary(Object.entries(query)),
  );
}

/** `civotes_agg.html` (§7.2): the page's aggregate votes grouped by aggregate hash. */
export function renderCiVotesAgg(page: VotePage<CiVoteAggDoc>, settings: ReportSettings, links: PageLinks): string {
  const detail: DetailHref = (query) => pageHref(links, 'civotes_agg_detail.html', query);
  const rows = groupBy(page.votes, (v) => v.refHash).map((votes) => {
    const refHash = votes[0]!.refHash;
    const subject = markup`<td class="hash">${link(detail({ ref_hash: refHash }), refHash)}</td>`;
    return groupRow(votes, subject, (success) => detail({ ref_hash: refHash, success }));
  });
  return votesPage(
    settings,
    links,
    'civotes_agg',
    'civotes_agg.html',
    {},
    page,
    ['Aggregate hash', 'Last timestamp', 'Successful jobs', 'Failed jobs', 'In progress'],
    rows,
  );
}

/** `civotes_agg_detail.html` (§7.2): aggregate votes matching the filters, newest first. */
export function renderCiVotesAggDetail(
  page: VotePage<CiVoteAggDoc>,
  filters: AggVoteDetailFilters,
  settings: ReportSettings,
  links: PageLinks,
): string {
  const detail: DetailHref = (query) => pageHref(links, 'civotes_agg_detail.html', query);
  const rows = page.votes.map((v) =>
    voteRow(v, markup`<td class="hash">${link(detail({ ref_hash: v.refHash }), v.refHash)}</td>`, detail),
  );
  const query = { ref_hash: filters.refHash, ci_name: filters.ciName, success: filters.success };
  return votesPage(
    settings,
    links,
    'civotes_agg',
    'civotes_agg_detail.html',
    query,
    page,
    ['CI Name', 'Aggregate hash', 'Results URL', 'Vote', 'In Progress?', 'Timestamp', 'Notes'],
    rows,
    filterSummary(Object.entries(query)),
  );
}
