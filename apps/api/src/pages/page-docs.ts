import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProduces } from '@nestjs/swagger';

/** OpenAPI for a page route: what it produces and, when it validates input, DLRN's 400. */
export function ApiPage(mediaType: string, description: string, badRequest?: string): MethodDecorator {
  const decorators = [
    ApiProduces(mediaType),
    ApiOkResponse({ description, content: { [mediaType]: { schema: { type: 'string' } } } }),
  ];
  if (badRequest) {
    decorators.push(
      ApiBadRequestResponse({
        description: "Bad parameters (DLRN's message)",
        content: { 'application/json': { schema: { example: { message: badRequest } } } },
      }),
    );
  }
  return applyDecorators(...decorators);
}

export const HTML = 'text/html; charset=utf-8';
