import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../test/support/projection-spec.js';
import { liveLinks, STATIC_LINKS } from './page-layout.js';
import { failed, SETTINGS, statusDocs, statusRows, succeeded } from '../../../test/support/report.fixtures.js';
import { renderStatusReportCsv, renderStatusReportHtml } from './status-report.renderer.js';

const DAY = 86_400;
const NOW = 1_700_000_000 + 30 * DAY;

function rowOf(page: string, pkg: string): string {
  const start = page.indexOf(`data-package="${pkg}"`);
  expect(start, `row of ${pkg}`).toBeGreaterThan(-1);
  return page.slice(page.lastIndexOf('<tr', start), page.indexOf('</tr>', start));
}

describe('status_report.html', () => {
  describe('when a package failed after its last success', () => {
    const log = new EventLog();
    log.build('nova', 'c1', 'SUCCESS', { dtBuild: NOW - 3.5 * DAY });
    const first = log.build('nova', 'c2', 'FAILED', { dtBuild: NOW - 2 * DAY });
    log.build('nova', 'c3', 'FAILED', { dtBuild: NOW - DAY });
    log.build('glance', 'g1', 'SUCCESS', { dtBuild: NOW - DAY });
    const page = renderStatusReportHtml(statusRows(log), SETTINGS, STATIC_LINKS, NOW);

    it('marks the row with class failure and shows the first failure after success with its build log', () => {
      const row = rowOf(page, 'nova');
      expect(row).toMatch(/^<tr class="failure"/);
      expect(row).toContain('<a href="https://github.com/openstack/nova/commit/c2">c2</a>');
      expect(row).toContain(`(<a href="nova%40c2_d1/${first.buildId}/rpmbuild.log">build log</a>)`);
      expect(row).toContain('>FAILED</span></a>');
    });

    it('counts whole days since the last success', () => {
      expect(rowOf(page, 'nova')).toContain('3 days');
    });

    it('leaves the first-failure and days cells empty for a successful package', () => {
      const row = rowOf(page, 'glance');
      expect(row).not.toContain('class="failure"');
      expect(row).toMatch(/<td class="hash"><\/td>\s*<td><\/td>/);
    });

    it("lists packages by name under DLRN's heading and title", () => {
      expect(page.indexOf('data-package="glance"')).toBeLessThan(page.indexOf('data-package="nova"'));
      expect(page).toContain('<title>RDO Packaging By DLRN</title>');
      expect(page).toContain('<h1>Delorean - Centos9 (master)</h1>');
    });

    it('links the live page to the repositories through baseurl', () => {
      const live = renderStatusReportHtml(statusRows(log), SETTINGS, liveLinks(SETTINGS.baseurl), NOW);
      expect(live).toContain(
        `href="https://trunk.example.org/centos9-master/nova%40c2_d1/${first.buildId}/rpmbuild.log"`,
      );
      expect(live).toContain('href="report.html?package=nova"');
    });
  });

  describe('when a bisection named the culprit of the breakage', () => {
    it('shows the culprit, linked upstream, under the first failure; and that it runs while it runs', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: NOW - 3 * DAY });
      log.build('nova', 'c4', 'FAILED', { dtBuild: NOW - DAY });
      const started = {
        bisectionId: 'bis-1',
        package: 'nova',
        good: { commitHash: 'c1', distroHash: 'd1', extendedHash: null, buildId: null },
        bad: { commitHash: 'c4', distroHash: 'd1', extendedHash: null, buildId: null },
        candidates: ['c2', 'c3', 'c4'],
        trigger: 'auto',
      };
      log.append('bisection-nova@c1_c4', 'BisectionStarted', started);
      const running = rowOf(renderStatusReportHtml(statusRows(log), SETTINGS, STATIC_LINKS, NOW), 'nova');
      expect(running).toContain('bisecting 3 commits (0 steps built)');
      log.append('bisection-nova@c1_c4', 'CulpritIdentified', {
        bisectionId: 'bis-1',
        package: 'nova',
        commitHash: 'c3',
        distroHash: 'd1',
        buildId: null,
        lastGoodCommitHash: 'c2',
        steps: 2,
      });
      const row = rowOf(renderStatusReportHtml(statusRows(log), SETTINGS, STATIC_LINKS, NOW), 'nova');
      expect(row).toContain('culprit: <span class="mono"><a href="https://github.com/openstack/nova/commit/c3">c3</a>');
      expect(row).not.toContain('bisecting');
    });
  });

  describe('when a package never succeeded', () => {
    it('shows its oldest failure and Never', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'FAILED', { dtBuild: NOW - 2 * DAY });
      log.build('nova', 'c2', 'FAILED', { dtBuild: NOW - DAY });
      const row = rowOf(renderStatusReportHtml(statusRows(log), SETTINGS, STATIC_LINKS, NOW), 'nova');
      expect(row).toContain('>c1</a>');
      expect(row).toContain('Never');
    });
  });

  describe('when no failure started strictly after the last success (same second)', () => {
    it('shows ?????? where DLRN would crash', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { dtBuild: NOW - DAY });
      log.build('nova', 'c2', 'FAILED', { dtBuild: NOW - DAY });
      const row = rowOf(renderStatusReportHtml(statusRows(log), SETTINGS, STATIC_LINKS, NOW), 'nova');
      expect(row).toContain('class="failure"');
      expect(row).toContain('??????');
      expect(row).toContain('1 days');
    });
  });

  describe('when a package name carries markup', () => {
    it('escapes it everywhere', () => {
      const log = new EventLog();
      log.build('<script>alert(1)</script>', 'c1', 'FAILED', { dtBuild: NOW - DAY });
      const page = renderStatusReportHtml(statusRows(log), SETTINGS, STATIC_LINKS, NOW);
      expect(page).not.toContain('<script>alert');
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });
  });

  describe('when nothing was built', () => {
    it('says so', () => {
      expect(renderStatusReportHtml([], SETTINGS, STATIC_LINKS, NOW)).toContain('No package has been built yet.');
    });
  });
});

describe('status_report.csv', () => {
  it("is DLRN's format byte for byte: None for nulls, | between artifacts, HTML-escaped values", () => {
    const log = new EventLog();
    succeeded(log, 'nova', 'aa11', {
      dtBuild: 1_700_000_100,
      component: 'compute',
      artifacts: ['repos/aa/11/aa11_d1/nova-1.0-1.src.rpm', 'repos/aa/11/aa11_d1/nova-1.0-1.noarch.rpm'],
    });
    failed(log, 'glance', 'bb22', 1_700_000_200);
    log.build('a&b<c>', 'cc33', 'RETRY', { dtBuild: 1_700_000_300, extendedHash: 'e1' });
    const docs = statusDocs(log).sort((a, b) => (a.package < b.package ? -1 : 1));
    expect(renderStatusReportCsv(docs)).toBe(
      'Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages\n' +
        'a&amp;b&lt;c&gt;,cc33,d1,e1,None,RETRY,1700000300,None\n' +
        'glance,bb22,d1,None,None,FAILED,1700000200,None\n' +
        'nova,aa11,d1,None,compute,SUCCESS,1700000100,repos/aa/11/aa11_d1/nova-1.0-1.src.rpm|repos/aa/11/aa11_d1/nova-1.0-1.noarch.rpm\n',
    );
  });

  it('is the header alone when nothing was built', () => {
    expect(renderStatusReportCsv([])).toBe(
      'Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages\n',
    );
  });
});
