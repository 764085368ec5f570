import 'reflect-metadata';
import { DECORATORS } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import * as dlrnInputs from '../dlrn/dlrn-inputs.js';
import { PROMOTE, REPORT_RESULT } from '../dlrn/dlrn-inputs.js';
import * as resourcesInputs from '../resources/resources-inputs.js';
import { BUILDS } from '../resources/resources-inputs.js';
import { ApiQueryInput, inputSchema } from './api-input.js';
import type { FieldSpec, ModelSpec } from './dlrn-input.js';

const isSpec = (value: unknown): value is ModelSpec<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && 'fields' in value;

describe('the OpenAPI description of an input, from its spec', () => {
  it('describes a body field by field: type, required, nullable, default, example', () => {
    const schema = inputSchema(REPORT_RESULT);
    expect(schema.required).toEqual(['timestamp', 'success', 'job_id', 'url']);
    expect(schema.properties!.timestamp).toMatchObject({ type: 'integer', example: 1700000000 });
    expect(schema.properties!.success).toMatchObject({ type: 'boolean' });
    expect(schema.properties!.notes).toMatchObject({ type: 'string', default: '' });
    // Optional for the parser, required by the root check: documented as required.
    expect(inputSchema(PROMOTE).required).toEqual(['commit_hash', 'distro_hash', 'promote_name']);
    expect(inputSchema(PROMOTE).properties!.extended_hash).toMatchObject({ type: 'string', nullable: true });
  });

  it('makes one query parameter per field, in the spec order, leaving out the path ones', () => {
    class Probe {
      list(): void {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Probe.prototype, 'list')!;
    ApiQueryInput(BUILDS, ['package'])(Probe.prototype, 'list', descriptor);
    const parameters = Reflect.getMetadata(DECORATORS.API_PARAMETERS, descriptor.value as object) as {
      name: string;
      required: boolean;
      schema: { type: string; enum?: string[]; default?: unknown };
    }[];
    expect(parameters.map((p) => p.name)).toEqual([
      'status',
      'component',
      'commit_hash',
      'since',
      'until',
      'limit',
      'cursor',
    ]);
    expect(parameters.every((p) => !p.required)).toBe(true);
    expect(parameters[0]!.schema).toMatchObject({ type: 'string', enum: ['SUCCESS', 'FAILED', 'RETRY'] });
    expect(parameters[5]!.schema).toMatchObject({ type: 'integer', default: 100 });
  });

  it('has a description for every field of every input (a new field cannot go undocumented)', () => {
    const specs = Object.entries({ ...dlrnInputs, ...resourcesInputs }).filter(([, value]) => isSpec(value));
    expect(specs.length).toBeGreaterThan(10);
    for (const [specName, spec] of specs) {
      for (const [field, value] of Object.entries((spec as ModelSpec<Record<string, unknown>>).fields)) {
        expect((value as FieldSpec).description, `${specName}.${field}`).toBeTruthy();
      }
    }
  });
});
