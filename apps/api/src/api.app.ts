import fastifyEtag from '@fastify/etag';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { mayAct } from '#domain/user/user-roles.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { packageVersion } from '#infrastructure/runtime/package-version.js';
import { API_LOGGER } from '#infrastructure/nest/tokens.js';
import { ApiModule, type ApiOptions } from './api.module.js';
import { Authenticator } from './auth/authenticator.js';
import { accessOf, roleFor } from './auth/route-policy.js';
import { trustProxyOption } from './auth/trusted-proxies.js';
import { DlrnExceptionFilter } from './http/dlrn-exception.filter.js';
import { frontDoor } from './http/front-door.js';
import { documentLogPositions, registerLogPositions } from './http/log-position.js';
import { answerMethodNotAllowed } from './http/method-not-allowed.js';
import { serveRepos } from './repos/repo-files.js';
import { acceptAnyBody, BODY_LIMIT } from './http/request-body.js';
import { keepWebhookBodies } from './webhooks/webhook-body.js';
import { PrometheusMetrics } from './metrics/prometheus.js';
import { accessLogFields } from './http/access-log.js';
import { HotAnswers, markCachedAnswer } from './views/hot-answers.js';
import { cachedAnswerText, ViewVersion } from './views/view-version.js';

export { BODY_LIMIT } from './http/request-body.js';

/**
 * Builds the API application (not listening yet), for `dlrn api`, `dlrn serve` and tests. Signals
 * are the caller's: the CLI closes the app on SIGTERM (Nest's own hooks would re-raise it).
 */
export async function createApiApp(config: DlrnConfig, options: ApiOptions = {}): Promise<NestFastifyApplication> {
  if (config.service.authDrivers.includes('KrbAuthentication')) {
    // Refuse rather than leave writes open or silently fall back to passwords.
    throw new Error(
      '[service] auth_drivers: KrbAuthentication (Kerberos/FreeIPA) is not supported yet; use DBAuthentication',
    );
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config, options),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT, trustProxy: trustProxyOption(config.service.trustedProxies) }),
    { logger: ['error', 'warn'] },
  );
  const log = app.get<Logger>(API_LOGGER);
  app.useGlobalFilters(new DlrnExceptionFilter(log));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  answerMethodNotAllowed(fastify);
  acceptAnyBody(app, fastify);
  keepWebhookBodies(fastify);
  authenticateRequests(fastify, app.get(Authenticator), config.service.protectReadEndpoints);
  frontDoor(fastify);
  await serveRepos(app, fastify, config.default.datadir);
  // Callback hooks, not async ones: every request passes them, and a promise each costs.
  // Clients may keep answers but must revalidate them.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.method === 'GET' && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-cache');
    done(null, payload);
  });
  // Before the hot answers: a read sent with X-Dlrn-Position waits for the views first.
  registerLogPositions(fastify, app.get(ViewVersion));
  app.get(HotAnswers).register(fastify);
  // Every answer carries an ETag (a hash of its body); `If-None-Match` gets 304, so polling is
  // nearly free.
  await app.register(fastifyEtag);
  reuseCachedAnswerText(fastify);
  const metrics = app.get(PrometheusMetrics);
  // The access log: a line per answered request (never a credential: see accessLogFields).
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(reply.elapsedTime / 1000);
    if (log.isLevelEnabled('info')) log.info(accessLogFields(request, reply), 'request');
    done();
  });
  SwaggerModule.setup('api/docs', app, openApiDocument(app), { jsonDocumentUrl: 'api/openapi.json' });
  return app;
}

/** The OpenAPI 3 document of every endpoint. */
export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('DLRN-compatible continuous packaging API')
    .setDescription(
      "DLRN's API (same paths, parameters, answers and errors) over an event-sourced store. " +
        'Writes need HTTP Basic credentials of a user made with `dlrn user create`; reads too when ' +
        '`protect_read_endpoints` is set.',
    )
    .setVersion(packageVersion())
    .addBasicAuth()
    .build();
  return documentLogPositions(SwaggerModule.createDocument(app, info));
}

/**
 * Authentication runs first, before the body is parsed, as in DLRN: writes need valid
 * credentials, reads too when `protect_read_endpoints` is set (otherwise they are anonymous).
 * 401 is DLRN's plain-text `Unauthorized Access` with a Basic challenge; repeated failures from
 * one client get 429 (see LoginLimiter).
 */
function authenticateRequests(fastify: FastifyInstance, auth: Authenticator, protectReads: boolean): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const access = accessOf(request.method, request.url);
    if (access === 'public' || (access === 'read' && !protectReads)) return done();
    authenticate(auth, request, reply).then((answered) => answered || done(), done);
  });
}

/**
 * Checks the request's credentials and the user's roles; true when it was answered (401, 403
 * for a role the user lacks, 429, or 503 while the password threads are saturated). The client
 * is `request.ip`: behind `trusted_proxies`, the address they forwarded.
 */
async function authenticate(auth: Authenticator, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const outcome = await auth.authenticate(request.headers.authorization, {
    path: request.url.split('?', 1)[0]!,
    method: request.method,
    client: request.ip,
  });
  if (outcome.ok) {
    // The route as matched, not the URL as sent: `/api/%70romote` routes to promote too.
    const needed = roleFor(request.method, request.routeOptions.url ?? request.url);
    if (needed !== null && !mayAct(outcome.roles, needed)) {
      void reply.code(403).send({ message: `User ${outcome.user} does not have the ${needed} role` });
      return true;
    }
    (request as FastifyRequest & { dlrnUser?: string }).dlrnUser = outcome.user;
    return false;
  }
  if (outcome.reason === 'limited' || outcome.reason === 'busy') {
    const seconds = Math.ceil(outcome.retryAfterMs / 1000);
    const [status, message] =
      outcome.reason === 'limited'
        ? [429, `Too many failed logins; retry in ${seconds} s`]
        : [503, `Too many logins are being checked; retry in ${seconds} s`];
    void reply.code(status).header('Retry-After', String(seconds)).send({ message });
    return true;
  }
  void reply
    .code(401)
    .header('WWW-Authenticate', 'Basic realm="Authentication Required"')
    .type('text/plain; charset=utf-8')
    .send('Unauthorized Access');
  return true;
}

/**
 * A cached answer is the same object for every request until the views move: its JSON text and
 * ETag are made once, not per request (for a 40 KiB promotions page they were most of its cost).
 */
function reuseCachedAnswerText(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request, reply, payload, done) => {
    const text = cachedAnswerText(payload);
    if (text !== null) {
      markCachedAnswer(request, text.version);
      void reply.serializer(() => text.json);
      if (!reply.hasHeader('etag')) void reply.header('etag', text.etag);
    }
    done(null, payload);
  });
}
