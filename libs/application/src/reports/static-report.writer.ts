import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { NO_FILTERS, renderBuildReport } from '#reports/build-report.renderer.js';
import { DashboardQueries } from '../queries/dashboard.queries.js';
import { SORT_JS, STYLES_CSS } from '#reports/page-assets.js';
import { STATIC_LINKS } from '#reports/page-layout.js';
import { renderQueue } from '#reports/queue.renderer.js';
import type { ReportSettings } from '#reports/report-format.js';
import { renderStatusReportCsv, renderStatusReportHtml } from '#reports/status-report.renderer.js';

/** The files the static copy consists of, in `<datadir>/repos/`. */
export const STATIC_REPORT_FILES = [
  'status_report.html',
  'status_report.csv',
  'report.html',
  'queue.html',
  'styles.css',
  'sort.js',
] as const;

/**
 * Writes DLRN's static reports into `<datadir>/repos/` from the read models, each file
 * atomically (temporary file, then rename), so a web server never serves half a page.
 */
export class StaticReportWriter {
  private readonly queries: DashboardQueries;

  constructor(
    store: ReadModelStore,
    private readonly settings: ReportSettings,
    private readonly reposDir: string,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.queries = new DashboardQueries(store);
  }

  async write(): Promise<void> {
    const [rows, builds, queue] = await Promise.all([
      this.queries.statusRows(),
      this.queries.lastBuilds(),
      this.queries.queue(),
    ]);
    const files: Record<(typeof STATIC_REPORT_FILES)[number], string> = {
      'status_report.html': renderStatusReportHtml(rows, this.settings, STATIC_LINKS, this.now()),
      'status_report.csv': renderStatusReportCsv(rows.map((r) => r.doc)),
      'report.html': renderBuildReport(
        { builds, filters: NO_FILTERS, total: builds.length },
        this.settings,
        STATIC_LINKS,
      ),
      'queue.html': renderQueue(queue, this.settings, STATIC_LINKS),
      'styles.css': STYLES_CSS,
      'sort.js': SORT_JS,
    };
    for (const [name, content] of Object.entries(files)) await this.replace(name, content);
  }

  private async replace(name: string, content: string): Promise<void> {
    const target = join(this.reposDir, name);
    const temporary = join(this.reposDir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, content);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
