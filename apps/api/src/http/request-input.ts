import type { FastifyRequest } from 'fastify';
import { inputOf, parseModel, requireExactJson, type ModelSpec } from './dlrn-input.js';

/** The authenticated caller the auth hook put on the request (null: anonymous read). */
export function callerOf(request: FastifyRequest): string | null {
  return (request as FastifyRequest & { dlrnUser?: string | null }).dlrnUser ?? null;
}

/** Parses a request's input with a DLRN model; `jsonOnly` answers 415 for other content types. */
export function readInput<T>(request: FastifyRequest, spec: ModelSpec<T>, jsonOnly = false): T {
  const contentType = request.headers['content-type'];
  if (jsonOnly) requireExactJson(contentType);
  return parseModel(
    spec,
    inputOf({ contentType, query: request.query as Record<string, unknown>, body: request.body }),
  );
}
