import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from './prometheus.js';

describe('/metrics text', () => {
  it("has DLRN's counters, then the service gauges operators graph", async () => {
    const metrics = new PrometheusMetrics(
      'https://trunk.example.org/',
      async () => ({ scope: 'all', success: 5, failed: 2, retry: 1, lastPosition: 40 }),
      async () => ({ projectionLag: 7, queued: 4, building: 2 }),
    );
    const text = await metrics.text();
    expect(text).toMatch(/^dlrn_builds_total\{baseurl="https:\/\/trunk.example.org\/"\} 8$/m);
    expect(text).toContain('# TYPE dlrn_projection_lag_events gauge\ndlrn_projection_lag_events 7\n');
    expect(text).toContain('# TYPE dlrn_queue_depth gauge\ndlrn_queue_depth 4\n');
    expect(text).toContain('# TYPE dlrn_builds_in_progress gauge\ndlrn_builds_in_progress 2\n');
  });
});
