import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeliveriesQuery, type DeliveriesPage } from '#application/outbox/deliveries.query.js';
import { RedeliverCommand } from '#application/outbox/redeliver.command.js';
import { DeliveryRuleError } from '#domain/delivery/delivery.decider.js';
import type { DeliveryDoc, DeliveryDocState } from '#domain/projections/index.js';
import { ERROR_SCHEMA } from '../dlrn/openapi-examples.js';
import { ApiQueryInput } from '../http/api-input.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { markWritten } from '../http/log-position.js';
import { callerOf, readInput } from '../http/request-input.js';
import { ViewVersion } from '../views/view-version.js';
import { DELIVERIES, deliveryIdOf, nextDeliveriesHref } from './deliveries-inputs.js';

const errors = { schema: ERROR_SCHEMA };

const DELIVERY_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The delivered event id: `webhook-id` and CloudEvent `id`' },
    state: { type: 'string', enum: ['retrying', 'delivered', 'dead_lettered', 'redelivery_requested', 'redelivered'] },
    event_type: { type: 'string', example: 'BuildFailed' },
    subject: { type: 'string', example: 'build-0192f3a4-…' },
    event_position: { type: 'integer' },
    endpoint: { type: 'string', example: 'https://ci.example.org/hooks/dlrn' },
    attempts: { type: 'integer' },
    last_error: { type: 'string', nullable: true, example: 'HTTP 503' },
    last_status: { type: 'integer', nullable: true, example: 503 },
    next_attempt_at: { type: 'string', format: 'date-time', nullable: true, description: 'While retrying' },
    first_failed_at: { type: 'string', format: 'date-time' },
    dead_lettered_at: { type: 'string', format: 'date-time', nullable: true },
    updated_at: { type: 'string', format: 'date-time' },
    redeliveries: { type: 'integer' },
    links: { type: 'object', properties: { redeliver: { type: 'string' }, event: { type: 'string' } } },
  },
};

function deliveryAnswer(doc: DeliveryDoc) {
  return {
    id: doc.deliveryId,
    state: doc.state,
    event_type: doc.eventType,
    subject: doc.eventStreamId,
    event_position: doc.eventPosition,
    endpoint: doc.endpoint,
    attempts: doc.attempts,
    last_error: doc.lastError,
    last_status: doc.lastStatus,
    next_attempt_at: doc.nextAttemptAt,
    first_failed_at: doc.firstFailedAt,
    dead_lettered_at: doc.deadLetteredAt,
    updated_at: doc.updatedAt,
    redeliveries: doc.redeliveries,
    links: {
      redeliver: `/api/deliveries/${doc.deliveryId}/redeliver`,
      event: `/api/events?after=${doc.eventPosition - 1}&limit=1`,
    },
  };
}

/**
 * The outgoing webhook's dead letters (issue 18 item 4): deliveries that failed every attempt,
 * and sending one again once the receiver is back. Both need the `admin` role when roles are
 * set (an operator's view and action), and credentials even when reads are open.
 */
@ApiTags('deliveries')
@Controller('api/deliveries')
export class DeliveriesHttpController {
  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(ViewVersion) private readonly views: ViewVersion,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The outgoing webhook's failed deliveries: retrying, dead letters, redeliveries; newest first",
    description:
      'Deliveries whose first attempt failed: being retried (`retrying`, with `next_attempt_at`), delivered on a ' +
      'later attempt (`delivered`), failed every attempt (`dead_lettered`), asked to be sent again by an operator ' +
      '(`redelivery_requested`), or got through when sent again (`redelivered`). Follow `next` (also in ' +
      'the `Link` header) for older ones. Needs credentials, and the `admin` role when roles are set.',
  })
  @ApiQueryInput(DELIVERIES)
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { deliveries: { type: 'array', items: DELIVERY_SCHEMA }, next: { type: 'string', nullable: true } },
    },
  })
  @ApiBadRequestResponse(errors)
  @ApiUnauthorizedResponse({ description: 'No or bad credentials' })
  @ApiForbiddenResponse(errors)
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = readInput(request, DELIVERIES);
    const page: DeliveriesPage = await this.queries.execute(
      new DeliveriesQuery({
        state: input.state as DeliveryDocState | null,
        eventType: input.event_type,
        subject: input.subject,
        limit: input.limit,
        before: input.cursor,
      }),
    );
    const next = page.nextBefore === null ? null : nextDeliveriesHref(input, page.nextBefore);
    if (next !== null) void reply.header('link', `<${next}>; rel="next"`);
    return { deliveries: page.deliveries.map(deliveryAnswer), next };
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a dead-lettered delivery again',
    description:
      'Records WebhookRedeliveryRequested; the sender (where the projector runs) sends the event again with ' +
      'the same `webhook-id`, retrying as for a first delivery, and records WebhookRedelivered or a new dead ' +
      'letter. Asking again before it is sent changes nothing. Needs the `admin` role when roles are set.',
  })
  @ApiParam({
    name: 'id',
    description: 'The delivery id (the event id)',
    example: '0192f3a4-5b6c-7d8e-9f01-23456789abcd',
  })
  @ApiAcceptedResponse({
    schema: { type: 'object', properties: { id: { type: 'string' }, state: { type: 'string' } } },
  })
  @ApiBadRequestResponse(errors)
  @ApiUnauthorizedResponse({ description: 'No or bad credentials' })
  @ApiForbiddenResponse(errors)
  @ApiNotFoundResponse(errors)
  @ApiConflictResponse({
    ...errors,
    description: 'The delivery is not dead-lettered (retrying, delivered, redelivered)',
  })
  async redeliver(@Req() request: FastifyRequest, @Param('id') raw: string) {
    const id = deliveryIdOf(raw);
    let result: { position: number | null };
    try {
      result = await this.commands.execute(new RedeliverCommand(id, callerOf(request)));
    } catch (error) {
      if (error instanceof DeliveryRuleError) {
        throw new DlrnHttpError(error.code === 'DELIVERY_NOT_FOUND' ? 404 : 409, error.message);
      }
      throw error;
    }
    markWritten(request, result.position);
    if (result.position !== null) await this.views.waitFor(result.position);
    return { id, state: 'redelivery_requested' };
  }
}
