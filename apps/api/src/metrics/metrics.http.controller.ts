import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusMetrics } from './prometheus.js';

/** `GET /metrics`: Prometheus text, open to scrapers as in DLRN. */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsHttpController {
  constructor(@Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: "Prometheus metrics (DLRN's dlrn_builds_* counters and process metrics)" })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus exposition format',
    schema: { type: 'string', example: 'dlrn_builds_succeeded_total{baseurl="https://trunk.example.org/"} 42' },
  })
  async scrape(): Promise<string> {
    return this.metrics.text();
  }
}
