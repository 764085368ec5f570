import { Counter, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import type { BuildMetricsDoc } from '#domain/projections/index.js';

/**
 * DLRN's Prometheus metrics (`dlrn_builds_*_total` with the `baseurl` label, the request
 * summary) plus the default process collectors, from the `build_metrics` view at scrape time.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  readonly requestSeconds: Summary;

  constructor(baseurl: string, totals: () => Promise<BuildMetricsDoc>) {
    collectDefaultMetrics({ register: this.registry });
    this.requestSeconds = new Summary({
      name: 'dlrn_request_processing_seconds',
      help: 'Time spent processing request',
      registers: [this.registry],
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
        registers: [this.registry],
        async collect() {
          this.reset();
          this.inc({ baseurl }, value(await totals()));
        },
      });
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
