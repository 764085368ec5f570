import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EventStore } from '#domain/shared/event-store.port.js';
import { ViewVersion } from '../views/view-version.js';

interface Readiness {
  readonly ready: boolean;
  /** Position of the last event in the log. */
  readonly head: number;
  /** Position every active view has passed (0 before the first projection). */
  readonly views: number;
  /** Events the views still have to fold. */
  readonly lag: number;
}

const READINESS_SCHEMA = {
  type: 'object',
  required: ['ready', 'head', 'views', 'lag'],
  properties: {
    ready: { type: 'boolean' },
    head: { type: 'integer', description: 'Position of the last event in the log' },
    views: { type: 'integer', description: 'Position every active view has passed' },
    lag: { type: 'integer', description: 'Events the views still have to fold' },
  },
};

/**
 * For load balancers and orchestrators: 200 once the views are built and have caught up with the
 * log, 503 with the lag otherwise (a replica whose projector is behind, or `dlrn api` before any
 * projector ran).
 * `/api/health` stays DLRN's: it says the API answers, not that its answers are current.
 */
@ApiTags('health')
@Controller('api/ready')
export class ReadyHttpController {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Have the views caught up with the log? (200, or 503 with the lag)' })
  @ApiOkResponse({ description: 'The views have folded every event of the log', schema: READINESS_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'The views are behind the log', schema: READINESS_SCHEMA })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const head = await this.store.headPosition();
    const views = Math.max(0, await this.views.refresh());
    const lag = Math.max(0, head - views);
    // An empty log needs built views too: before them every read answers 503.
    const ready = lag === 0 && this.views.built;
    if (!ready) void reply.code(503).header('retry-after', '1');
    return { ready, head, views, lag };
  }
}
