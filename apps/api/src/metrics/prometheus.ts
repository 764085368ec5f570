import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import {
  BUILD_DURATION_BUCKETS,
  lastSuccessfulPassAt,
  type BuildMetricsDoc,
  type BuildTimingsDoc,
} from '#domain/projections/index.js';

/** The process metrics (CPU, memory, event-loop lag…) are recomputed at most this often. */
const PROCESS_METRICS_TTL_MS = 1_000;

const REQUEST_SUMMARY = 'dlrn_request_processing_seconds';

/** What operators graph beside DLRN's counters (ours; DLRN has no such metrics). */
export interface ServiceGauges {
  /** Events of the log the views have not folded yet (0: caught up). */
  readonly projectionLag: number;
  /** Commits discovered and waiting for a builder. */
  readonly queued: number;
  /** Builds claimed by a builder and not finished. */
  readonly building: number;
  /** The `build_timings` view (durations, passes); null before any build. */
  readonly timings?: BuildTimingsDoc | null;
}

const NO_GAUGES: ServiceGauges = { projectionLag: 0, queued: 0, building: 0 };

const DURATION = 'dlrn_build_duration_seconds';
const LAST_PASS = 'dlrn_last_successful_pass_timestamp_seconds';

/** The build duration histogram (cumulative buckets, as Prometheus reads them) and the last good pass. */
function timingsText(timings: BuildTimingsDoc | null | undefined): string {
  const counts = timings?.counts ?? [];
  let cumulative = 0;
  const buckets = [...BUILD_DURATION_BUCKETS.map(String), '+Inf'].map((le, i) => {
    cumulative += counts[i] ?? 0;
    return `${DURATION}_bucket{le="${le}"} ${cumulative}\n`;
  });
  const lastPass = timings ? lastSuccessfulPassAt(timings) : null;
  return (
    `# HELP ${DURATION} Build duration, from BuildStarted to the build's result\n# TYPE ${DURATION} histogram\n` +
    `${buckets.join('')}${DURATION}_sum ${timings?.sum ?? 0}\n${DURATION}_count ${timings?.count ?? 0}\n` +
    `# HELP ${LAST_PASS} When the last pass whose builds all succeeded ended (0: none yet)\n# TYPE ${LAST_PASS} gauge\n` +
    `${LAST_PASS} ${lastPass === null ? 0 : lastPass / 1000}\n`
  );
}

function gaugesText(g: ServiceGauges): string {
  const gauge = (name: string, help: string, value: number) =>
    `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
  return (
    gauge('dlrn_projection_lag_events', 'Events of the log the views have not folded yet', g.projectionLag) +
    gauge('dlrn_queue_depth', 'Commits waiting for a builder', g.queued) +
    gauge('dlrn_builds_in_progress', 'Builds claimed by a builder and not finished', g.building) +
    timingsText(g.timings)
  );
}

/**
 * DLRN's Prometheus metrics (`dlrn_builds_*_total` with the `baseurl` label, the request
 * summary) from the `build_metrics` view at scrape time, plus the default process collectors.
 * The counters' text is made once per `build_metrics` document (the views cache hands out the
 * same one until the views move); the summary keeps only `_sum` and `_count`, as DLRN's Python
 * one does, counted here (prom-client's Summary feeds a t-digest on every request and compresses
 * it on every scrape, even without quantiles: most of a scrape's cost); process metrics are kept
 * for a second (they cost ~1 ms to collect).
 */
export class PrometheusMetrics {
  private readonly dlrn = new Registry();
  private readonly process = new Registry();
  private processText: { at: number; text: Promise<string> } | null = null;
  private counted: BuildMetricsDoc | null = null;
  private countersText: { totals: BuildMetricsDoc; text: string } | null = null;
  private requests = 0;
  private requestSeconds = 0;

  constructor(
    baseurl: string,
    private readonly totals: () => Promise<BuildMetricsDoc>,
    private readonly gauges: () => Promise<ServiceGauges> = async () => NO_GAUGES,
  ) {
    collectDefaultMetrics({ register: this.process });
    const counters: [string, string, (t: BuildMetricsDoc) => number][] = [
      ['dlrn_builds_succeeded_total', 'Total number of successful builds', (t) => t.success],
      ['dlrn_builds_failed_total', 'Total number of failed builds', (t) => t.failed],
      ['dlrn_builds_retry_total', 'Total number of builds in retry state', (t) => t.retry],
      ['dlrn_builds_total', 'Total number of builds', (t) => t.success + t.failed + t.retry],
    ];
    const counted = () => this.counted;
    for (const [name, help, value] of counters) {
      new Counter({
        name,
        help,
        labelNames: ['baseurl'],
        registers: [this.dlrn],
        collect() {
          this.reset();
          const totals = counted();
          if (totals !== null) this.inc({ baseurl }, value(totals));
        },
      });
    }
  }

  /** One request served, in seconds. */
  observeRequest(seconds: number): void {
    this.requests += 1;
    this.requestSeconds += seconds;
  }

  async text(): Promise<string> {
    const totals = await this.totals();
    if (this.countersText?.totals !== totals) {
      this.counted = totals;
      this.countersText = { totals, text: await this.dlrn.metrics() };
    }
    const now = Date.now();
    if (this.processText === null || now - this.processText.at >= PROCESS_METRICS_TTL_MS) {
      this.processText = { at: now, text: this.process.metrics() };
    }
    const summary =
      `# HELP ${REQUEST_SUMMARY} Time spent processing request\n# TYPE ${REQUEST_SUMMARY} summary\n` +
      `${REQUEST_SUMMARY}_sum ${this.requestSeconds}\n${REQUEST_SUMMARY}_count ${this.requests}\n`;
    const service = gaugesText(await this.gauges());
    return `${this.countersText.text}\n${summary}\n${service}\n${await this.processText.text}`;
  }
}
