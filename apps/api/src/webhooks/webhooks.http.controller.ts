import { Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PushReceiver } from '#application/webhooks/push-receiver.js';
import { FORGES, isForge } from '#domain/webhook/webhook.events.js';
import { API_LOGGER } from '#infrastructure/nest/tokens.js';
import { ERROR_SCHEMA } from '../dlrn/openapi-examples.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { markWritten } from '../http/log-position.js';
import { webhookBodyOf } from './webhook-body.js';

const errors = { schema: ERROR_SCHEMA };

const ACCEPTED_SCHEMA = {
  type: 'object',
  required: ['status', 'delivery_id', 'packages'],
  properties: {
    status: { type: 'string', enum: ['accepted'] },
    delivery_id: { type: 'string', example: '72d3162e-cc78-11e3-81ab-4c9367dc0958' },
    packages: { type: 'array', items: { type: 'string' }, example: ['openstack-nova'] },
  },
};

const ACKNOWLEDGED_SCHEMA = {
  type: 'object',
  required: ['status', 'delivery_id'],
  properties: {
    status: { type: 'string', enum: ['ignored', 'duplicate'] },
    delivery_id: { type: 'string' },
    reason: { type: 'string', example: 'no package follows refs/heads/feature of https://github.com/org/repo.git' },
  },
};

/**
 * Push webhooks in (issue 18, item 1). Authenticated by the forge's signature over the raw body,
 * not by Basic auth (route-policy makes `/api/webhooks/` public to the Basic-auth hook and the
 * login limiter). Answers at once; builders following the log do the work.
 */
@ApiTags('webhooks')
@Controller('api/webhooks')
export class WebhooksHttpController {
  constructor(
    @Inject(PushReceiver) private readonly receiver: PushReceiver,
    @Inject(API_LOGGER) private readonly log: Logger,
  ) {}

  @Post(':forge')
  @HttpCode(202)
  @ApiOperation({
    summary: "A forge's push webhook: refresh at once the packages that follow the pushed branch",
    description:
      'GitHub `push` (`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>` with `[webhooks] github_secret`), ' +
      'GitLab `Push Hook` (`X-Gitlab-Token` equal to `gitlab_token`), Gitea `push` (`X-Gitea-Signature`: hex ' +
      'HMAC-SHA256 of the body with `gitea_secret`), Gerrit `ref-updated` stream-events JSON ' +
      '(`Authorization: Bearer <gerrit_token>`). A push matching packages by `upstream` or `master-distgit` URL ' +
      '(scheme, user, port, `.git`, trailing slash and host case ignored) and followed branch is recorded as ' +
      'PushReceived (202) and `dlrn builder` starts a pass of those packages at once. A delivery id seen before ' +
      'answers 200 `duplicate` and records nothing; a push no package follows, a ping or another event answers 200 ' +
      '`ignored`. Unsigned, wrongly signed, an unknown forge, or a forge with no secret configured: 401. Bodies ' +
      'up to 1 MiB (413 past it). With `[changes] enabled`, GitHub and Gitea `pull_request`, GitLab `Merge Request ' +
      'Hook` and Gerrit `patchset-created`/`change-merged`/`change-abandoned` are read too: a new head of a change ' +
      'to a followed branch records ChangeBuildRequested (202, see `GET /api/changes`); a close cancels its queued build.',
  })
  @ApiParam({ name: 'forge', enum: FORGES })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: false, description: 'GitHub: `sha256=<hex HMAC-SHA256>`' })
  @ApiHeader({ name: 'X-GitHub-Event', required: false, description: 'GitHub: `push` (others are ignored)' })
  @ApiHeader({ name: 'X-GitHub-Delivery', required: false, description: 'GitHub: delivery id (replays do nothing)' })
  @ApiHeader({ name: 'X-Gitlab-Token', required: false, description: 'GitLab: the shared token' })
  @ApiHeader({ name: 'X-Gitlab-Event', required: false, description: 'GitLab: `Push Hook`' })
  @ApiHeader({ name: 'X-Gitlab-Event-UUID', required: false, description: 'GitLab: delivery id' })
  @ApiHeader({ name: 'X-Gitea-Signature', required: false, description: 'Gitea: hex HMAC-SHA256 of the body' })
  @ApiHeader({ name: 'X-Gitea-Event', required: false, description: 'Gitea: `push`' })
  @ApiHeader({ name: 'X-Gitea-Delivery', required: false, description: 'Gitea: delivery id' })
  @ApiHeader({ name: 'Authorization', required: false, description: 'Gerrit: `Bearer <gerrit_token>`' })
  @ApiBody({
    description: "The forge's own push payload (GitHub also as the `payload` field of a form)",
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiAcceptedResponse({ description: 'PushReceived recorded', schema: ACCEPTED_SCHEMA })
  @ApiOkResponse({ description: 'Acknowledged: nothing to do, or already received', schema: ACKNOWLEDGED_SCHEMA })
  @ApiBadRequestResponse({ description: 'Signed, but not the forge’s push payload', ...errors })
  @ApiUnauthorizedResponse({
    description: 'Unsigned, wrongly signed, unknown forge or no secret configured',
    ...errors,
  })
  @ApiPayloadTooLargeResponse(errors)
  @ApiServiceUnavailableResponse({ description: 'This API was started without package metadata', ...errors })
  async receive(
    @Param('forge') forge: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const client = request.ip;
    if (!isForge(forge)) {
      this.log.warn({ event: 'webhook-refused', forge: forge.slice(0, 64), client }, 'webhook refused: unknown forge');
      throw new DlrnHttpError(401, 'Unauthorized: invalid webhook signature');
    }
    const outcome = await this.receiver.receive(forge, request.headers, webhookBodyOf(request));
    switch (outcome.status) {
      case 'refused':
        this.log.warn({ event: 'webhook-refused', forge, client }, `webhook refused: ${outcome.reason}`);
        throw new DlrnHttpError(401, 'Unauthorized: invalid webhook signature');
      case 'invalid':
        throw new DlrnHttpError(400, `Invalid ${forge} webhook: ${outcome.reason}`);
      case 'unavailable':
        if (outcome.detail !== undefined)
          this.log.error({ event: 'webhook-unavailable', forge, detail: outcome.detail }, outcome.reason);
        throw new DlrnHttpError(503, `Service Unavailable: ${outcome.reason}`);
      case 'ignored':
        void reply.code(200);
        return { status: 'ignored', delivery_id: outcome.deliveryId, reason: outcome.reason };
      case 'duplicate':
        void reply.code(200);
        return { status: 'duplicate', delivery_id: outcome.deliveryId };
      case 'accepted':
        markWritten(request, outcome.position);
        this.log.info(
          { event: 'webhook-push', forge, deliveryId: outcome.deliveryId, packages: outcome.packages },
          'push received',
        );
        return { status: 'accepted', delivery_id: outcome.deliveryId, packages: outcome.packages };
    }
  }
}
