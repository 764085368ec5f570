import { Counter, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import type { BuildMetricsDoc } from '#domain/projections/index.js';

/** The process metrics (CPU, memory, event-loop lag…) are recomputed at most this often. */
const PROCESS_METRICS_TTL_MS = 1_000;

/**
 * DLRN's Prometheus metrics (`dlrn_builds_*_total` with the `baseurl` label, the request
 * summary) from the `build_metrics` view at scrape time, plus the default process collectors.
 * The summary keeps only `_count` and `_sum`, as DLRN's Python one does (quantiles cost a sort
 * per scrape); process metrics are kept for a second (they cost ~1 ms to collect).
 */
export class PrometheusMetrics {
  private readonly dlrn = new Registry();
  private readonly process = new Registry();
  private processText: { at: number; text: Promise<string> } | null = null;
  readonly requestSeconds: Summary;

  constructor(baseurl: string, totals: () => Promise<BuildMetricsDoc>) {
    collectDefaultMetrics({ register: this.process });
    this.requestSeconds = new Summary({
      name: 'dlrn_request_processing_seconds',
      help: 'Time spent processing request',
      percentiles: [],
      registers: [this.dlrn],
    });
    const counters: [string, string, (t: BuildMetricsDoc) => number][] = [
      ['dlrn_builds_succeeded_total', 'Total number of successful builds', (t) => t.success],
      ['dlrn_builds_failed_total', 'Total number of failed builds', (t) => t.failed],
      ['dlrn_builds_retry_total', 'Total number of builds in retry state', (t) => t.retry],
      ['dlrn_builds_total', 'Total number of builds', (t) => t.success + t.failed + t.retry],
    ];
    for (const [name, help, value] of counters) {
      new Counter({
        name,
        help,
        labelNames: ['baseurl'],
        registers: [this.dlrn],
        async collect() {
          this.reset();
          this.inc({ baseurl }, value(await totals()));
        },
      });
    }
  }

  async text(): Promise<string> {
    const now = Date.now();
    if (this.processText === null || now - this.processText.at >= PROCESS_METRICS_TTL_MS) {
      this.processText = { at: now, text: this.process.metrics() };
    }
    const [dlrn, process] = await Promise.all([this.dlrn.metrics(), this.processText.text]);
    return `${dlrn}\n${process}`;
  }
}
