import type { FastifyRequest } from 'fastify';
import { markUnknownInput } from '../views/hot-answers.js';
import { inputOf, parseModel, requireExactJson, type ModelSpec } from './dlrn-input.js';

/** The authenticated caller the auth hook put on the request (null: anonymous read). */
export function callerOf(request: FastifyRequest): string | null {
  return (request as FastifyRequest & { dlrnUser?: string | null }).dlrnUser ?? null;
}

/**
 * Parses a request's input with a DLRN model; `jsonOnly` answers 415 for other content types.
 * Query parameters the model does not read are ignored, as DLRN does, and keep the answer out of
 * the hot-answer cache (it is keyed on the URL).
 */
export function readInput<T>(request: FastifyRequest, spec: ModelSpec<T>, jsonOnly = false): T {
  const contentType = request.headers['content-type'];
  if (jsonOnly) requireExactJson(contentType);
  const query = request.query as Record<string, unknown>;
  for (const name in query) {
    if (!Object.hasOwn(spec.fields, name)) {
      markUnknownInput(request);
      break;
    }
  }
  return parseModel(spec, inputOf({ contentType, query, body: request.body }));
}
