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

describe('/metrics build timings', () => {
  const gauges = { projectionLag: 0, queued: 0, building: 0 };

  it('shows the duration histogram with cumulative buckets and the last successful pass in seconds', async () => {
    const timings = {
      key: 'all' as const,
      started: {},
      counts: [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1],
      sum: 7243,
      count: 3,
      passes: [{ id: 'p1', ok: true, at: 1_709_251_210_500 }],
      olderSuccessAt: null,
      lastPosition: 9,
    };
    const text = await new PrometheusMetrics(
      'https://trunk.example.org/',
      async () => ({ scope: 'all', success: 0, failed: 0, retry: 0, lastPosition: 0 }),
      async () => ({ ...gauges, timings }),
    ).text();
    expect(text).toContain('# TYPE dlrn_build_duration_seconds histogram\n');
    expect(text).toContain(
      'dlrn_build_duration_seconds_bucket{le="1"} 0\ndlrn_build_duration_seconds_bucket{le="5"} 1\n',
    );
    expect(text).toContain('dlrn_build_duration_seconds_bucket{le="60"} 2\n');
    expect(text).toContain(
      'dlrn_build_duration_seconds_bucket{le="3600"} 2\ndlrn_build_duration_seconds_bucket{le="+Inf"} 3\n',
    );
    expect(text).toContain('dlrn_build_duration_seconds_sum 7243\ndlrn_build_duration_seconds_count 3\n');
    expect(text).toContain('dlrn_last_successful_pass_timestamp_seconds 1709251210.5\n');
  });

  it('says 0 builds and no pass before any build', async () => {
    const text = await new PrometheusMetrics(
      'https://trunk.example.org/',
      async () => ({ scope: 'all', success: 0, failed: 0, retry: 0, lastPosition: 0 }),
      async () => gauges,
    ).text();
    expect(text).toContain('dlrn_build_duration_seconds_bucket{le="+Inf"} 0\n');
    expect(text).toContain('dlrn_last_successful_pass_timestamp_seconds 0\n');
  });
});
