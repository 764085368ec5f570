import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../test/support/projection-spec.js';
import { renderBuildPage } from './build-page.renderer.js';
import { NO_FILTERS, renderBuildReport } from './build-report.renderer.js';
import { liveLinks, STATIC_LINKS } from './page-layout.js';
import { buildDocs, failed, SETTINGS, succeeded } from '../../../test/support/report.fixtures.js';

const SRPM = 'repos/aa/11/aa11_d1/nova-1.0.2-0.20240301120000.abcdef1.el9.src.rpm';

describe('report.html', () => {
  const log = new EventLog();
  const ok = succeeded(log, 'nova', 'aa11', { dtBuild: 1_709_294_400, component: 'compute', artifacts: [SRPM] });
  const ko = failed(log, 'glance', 'bb22', 1_709_298_000);
  const builds = buildDocs(log).reverse();

  describe('the live page', () => {
    const page = renderBuildReport(
      { builds, filters: { ...NO_FILTERS, package: 'nova' }, total: 250 },
      SETTINGS,
      liveLinks(SETTINGS.baseurl),
    );

    it('links each build to its repository and rpmbuild.log through baseurl, and to its own page', () => {
      expect(page).toContain('<a href="https://trunk.example.org/centos9-master/aa/11/aa11_d1">repo</a>');
      expect(page).toContain(
        '<a href="https://trunk.example.org/centos9-master/bb/22/bb22_d1/rpmbuild.log">build log</a>',
      );
      expect(page).toContain(`href="build/${ok}.html"`);
    });

    it('gives failed rows the class failure, and shows version and release from the source RPM', () => {
      expect(page).toMatch(new RegExp(`<tr class="failure" data-build-id="${ko}">`));
      expect(page).toMatch(new RegExp(`<tr data-build-id="${ok}">`));
      expect(page).toContain('<td>1.0.2</td>');
      expect(page).toContain('0.20240301120000.abcdef1.el9');
      expect(page).toContain('2024-03-01 12:00:00');
    });

    it('offers package, component and status filter links, and pages of 100 keeping the filters', () => {
      expect(page).toContain('href="report.html?package=glance"');
      expect(page).toContain('href="report.html?component=compute"');
      expect(page).toContain('href="report.html?success=0"');
      expect(page).toContain('href="report.html?package=nova&amp;offset=100"');
      expect(page).not.toContain('rel="prev"');
      expect(page).toContain('<h1>Detailed build report - Centos9 (master)</h1>');
    });
  });

  describe('the static copy', () => {
    it('links repositories relatively and has no filter links', () => {
      const page = renderBuildReport({ builds, filters: NO_FILTERS, total: builds.length }, SETTINGS, STATIC_LINKS);
      expect(page).toContain('<a href="aa/11/aa11_d1/rpmbuild.log">build log</a>');
      expect(page).not.toContain('report.html?');
      expect(page).toContain('<h1>Delorean - Centos9 (master)</h1>');
      expect(page).toContain('href="styles.css"');
      expect(page).not.toMatch(/https?:\/\/(cdn|cdnjs|code\.jquery)/);
    });
  });
});

describe('a build page', () => {
  it('shows the fields and the log, escaped', () => {
    const log = new EventLog();
    const id = failed(log, 'nova', 'bb22', 1_709_298_000, '<script>alert("notes")</script>');
    const build = buildDocs(log).find((b) => b.buildId === id)!;
    const page = renderBuildPage(
      build,
      { text: 'error: <script>x</script> & more', size: 34, truncated: false },
      SETTINGS,
      liveLinks(SETTINGS.baseurl, '../'),
    );
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(&#34;notes&#34;)&lt;/script&gt;');
    expect(page).toContain('<pre class="log" id="rpmbuild-log">error: &lt;script&gt;x&lt;/script&gt; &amp; more</pre>');
    expect(page).toContain('href="../static/styles.css"');
    expect(page).toContain('<h1>nova — FAILED</h1>');
  });

  it('says when there is no log', () => {
    const log = new EventLog();
    const id = failed(log, 'nova', 'bb22', 1_709_298_000);
    const page = renderBuildPage(buildDocs(log)[0]!, null, SETTINGS, liveLinks(null, '../'));
    expect(id).toBeTruthy();
    expect(page).toContain('No rpmbuild.log on this server');
  });
});
