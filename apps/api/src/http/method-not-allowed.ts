import type { FastifyInstance } from 'fastify';
import { notFoundMessage } from './dlrn-exception.filter.js';

/** Werkzeug's words for it, as DLRN (Flask) answers. */
export const METHOD_NOT_ALLOWED = 'The method is not allowed for the requested URL.';

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/** `/api/builds/:id/events` → a RegExp matching the concrete paths of the route. */
function routePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * A known path asked with a method it does not take answers 405 with `Allow`, as DLRN does
 * (`DELETE /api/health`, `GET /api/report_result`, `PUT /api/promote`), before authentication:
 * Fastify alone answers 404, and our authentication hook would answer 401 first. Routes are
 * collected as they are added (call this before any is); only requests that no route takes
 * (Fastify's 404 path) are matched against them. A path no route knows is 404 for every method,
 * before authentication too, as Flask routes before DLRN checks credentials.
 */
export function answerMethodNotAllowed(fastify: FastifyInstance): void {
  const routes = new Map<string, KnownRoute>();
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = routes.get(route.url) ?? { pattern: routePattern(route.url), methods: new Set<string>() };
    for (const method of methods) known.methods.add(method.toUpperCase());
    routes.set(route.url, known);
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?', 1)[0]!;
    const allowed = new Set<string>();
    for (const { pattern, methods } of routes.values()) {
      if (pattern.test(path)) for (const method of methods) allowed.add(method);
    }
    if (allowed.has(request.method)) return done();
    if (allowed.size === 0) {
      void reply.code(404).send({ message: notFoundMessage(request.method, request.url) });
      return;
    }
    void reply
      .code(405)
      .header('allow', [...allowed].sort().join(', '))
      .send({ message: METHOD_NOT_ALLOWED });
  });
}
