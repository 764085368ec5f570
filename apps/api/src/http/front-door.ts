import type { FastifyInstance } from 'fastify';

/**
 * What a browser finds at the service's root: `/` leads to the status page, `/api` and `/api/`
 * to the API's documentation (rather than a JSON 404).
 */
export function frontDoor(fastify: FastifyInstance): void {
  fastify.get('/', (_request, reply) => reply.redirect('/api/status_report.html', 302));
  for (const path of ['/api', '/api/']) fastify.get(path, (_request, reply) => reply.redirect('/api/docs', 302));
}
