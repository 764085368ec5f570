import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, type SchemaObject } from '@nestjs/swagger';
import type { FieldKind, FieldSpec, ModelSpec } from './dlrn-input.js';

/**
 * The OpenAPI description of an input, generated from the spec that parses it (dlrn-input.ts):
 * a field's type, requiredness, enum, default, example and description are written once, so the
 * documentation cannot drift from what the parser accepts.
 */

const TYPES: Record<FieldKind, Pick<SchemaObject, 'type' | 'minimum'>> = {
  int: { type: 'integer' },
  nonNegativeInt: { type: 'integer', minimum: 0 },
  bool: { type: 'boolean' },
  str: { type: 'string' },
  strictStr: { type: 'string' },
};

function fieldSchema(field: FieldSpec): SchemaObject {
  const schema: SchemaObject = { ...TYPES[field.kind] };
  if (field.nullable) schema.nullable = true;
  if (field.enum) schema.enum = [...field.enum];
  if (field.default !== undefined) schema.default = field.default;
  if (field.description !== undefined) schema.description = field.description;
  if (field.example !== undefined) schema.example = field.example;
  return schema;
}

function documentedFields<T>(spec: ModelSpec<T>, omit: readonly (keyof T & string)[]): [string, FieldSpec][] {
  return (Object.entries(spec.fields) as [string, FieldSpec][]).filter(
    ([name]) => !(omit as readonly string[]).includes(name),
  );
}

const isRequired = (field: FieldSpec): boolean => field.required === true || field.requiredByRoot === true;

/** The JSON object a body must be (also an array's items: `promote-batch`). */
export function inputSchema<T>(spec: ModelSpec<T>): SchemaObject {
  const fields = documentedFields(spec, []);
  return {
    type: 'object',
    required: fields.filter(([, field]) => isRequired(field)).map(([name]) => name),
    properties: Object.fromEntries(fields.map(([name, field]) => [name, fieldSchema(field)])),
  };
}

/**
 * One query parameter per field, in the spec's order. `omit` leaves out fields the route reads
 * from its path instead (`/api/packages/{name}/builds` has no `package` parameter).
 */
export function ApiQueryInput<T>(spec: ModelSpec<T>, omit: readonly (keyof T & string)[] = []): MethodDecorator {
  return applyDecorators(
    ...documentedFields(spec, omit).map(([name, field]) => {
      // The description is the parameter's; the example stays in the schema (where the document
      // generator keeps it).
      const { description, ...schema } = fieldSchema(field);
      return ApiQuery({ name, required: isRequired(field), description, schema });
    }),
  );
}

/** The JSON body of a write. */
export function ApiBodyInput<T>(spec: ModelSpec<T>): MethodDecorator {
  return applyDecorators(ApiBody({ schema: inputSchema(spec) }));
}
