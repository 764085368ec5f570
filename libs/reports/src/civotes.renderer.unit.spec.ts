import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../test/support/projection-spec.js';
import { renderCiVotes, renderCiVotesDetail } from './civotes.renderer.js';
import { isSafeHref, liveLinks } from './page-layout.js';
import { SETTINGS, voteDocs } from '../../../test/support/report.fixtures.js';

function vote(log: EventLog, jobId: string, commitHash: string, success: boolean, timestamp: number, extra = {}): void {
  log.append(`civote-${commitHash}_d1`, 'CiVoteReported', {
    commitHash,
    distroHash: 'd1234567890',
    extendedHash: null,
    component: 'compute',
    jobId,
    url: 'https://ci.example.org/job/1',
    notes: '',
    timestamp,
    user: 'ci',
    success,
    ...extra,
  });
}

describe('civotes.html', () => {
  const log = new EventLog();
  vote(log, 'job-a', 'aa11', true, 1000);
  vote(log, 'job-b', 'aa11', false, 3000);
  vote(log, 'job-a', 'bb22', true, 2000);
  const newestFirst = voteDocs(log).sort((a, b) => b.timestamp - a.timestamp);
  const page = renderCiVotes({ votes: newestFirst, offset: 0, hasMore: true }, SETTINGS, liveLinks(null));

  it('groups the votes by repository, the one with the newest vote first, with counts', () => {
    expect(page.indexOf('aa11_d1234567')).toBeLessThan(page.indexOf('bb22_d1234567'));
    expect(page).toContain(
      'href="civotes_detail.html?commit_hash=aa11&amp;distro_hash=d1234567890&amp;success=True">1</a>',
    );
    expect(page).toContain(
      'href="civotes_detail.html?commit_hash=aa11&amp;distro_hash=d1234567890&amp;success=False">1</a>',
    );
    expect(page).toContain('1970-01-01 00:50:00');
  });

  it('highlights repositories with failed votes and offers the next page', () => {
    expect(page.match(/<tr class="failure">/g)).toHaveLength(1);
    expect(page).toContain('href="civotes.html?offset=100"');
  });
});

describe('civotes_detail.html', () => {
  it('escapes notes and CI names, and never links a javascript: URL', () => {
    const log = new EventLog();
    vote(log, '<b>job</b>', 'aa11', false, 1000, { notes: '<script>alert(1)</script>', url: 'javascript:alert(2)' });
    const page = renderCiVotesDetail(
      { votes: voteDocs(log), offset: 0, hasMore: false },
      { commitHash: null, distroHash: null, component: null, ciName: '<b>job</b>', success: null },
      SETTINGS,
      liveLinks(null),
    );
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<b>job');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('href="javascript:');
    expect(page).toMatch(/<tr class="failure">/);
    expect(page).not.toContain('rel="next"');
  });
});

describe('links from votes', () => {
  it.each(['javascript:alert(1)', ' java\tscript:alert(1)', 'data:text/html,x', 'vbscript:x'])(
    'never links %j',
    (url) => {
      expect(isSafeHref(url)).toBe(false);
    },
  );
  it.each(['https://ci.example.org/1', 'http://x', 'file:///srv/log', 'relative/path', '/abs'])('links %s', (url) => {
    expect(isSafeHref(url)).toBe(true);
  });
});
