import { CHANGE_BUILD_STATES } from '#domain/projections/index.js';
import { FORGES } from '#domain/webhook/webhook.events.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';
import { decodeCursor, encodeCursor, pageLimitField } from '../resources/resources-inputs.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export interface ChangesInput {
  package: string | null;
  forge: string | null;
  state: string | null;
  limit: number;
  cursor: number | null;
}

const oneOf = (name: string, values: readonly string[]) => (value: string) => {
  if (!values.includes(value))
    throw new DlrnHttpError(400, `Invalid ${name} ${value}: expected one of ${values.join(', ')}`);
  return value;
};

export const CHANGES: ModelSpec<ChangesInput> = {
  fields: {
    package: {
      kind: 'strictStr',
      description: 'Only builds of this package',
      example: 'python-greeting',
      check: (value: string) => {
        if (value === '' || value.length > 256)
          throw new DlrnHttpError(400, 'Invalid package: expected 1 to 256 characters');
        return value;
      },
    },
    forge: {
      kind: 'strictStr',
      enum: FORGES,
      description: 'Only changes of this forge',
      check: oneOf('forge', FORGES),
    },
    state: {
      kind: 'strictStr',
      enum: CHANGE_BUILD_STATES,
      description: 'Only builds in this state',
      check: oneOf('state', CHANGE_BUILD_STATES),
    },
    limit: pageLimitField(DEFAULT_PAGE, MAX_PAGE),
    cursor: { kind: 'strictStr', description: 'From the `next` link of the previous page', check: decodeCursor },
  },
};

/** The next page's link, from the validated input only. */
export function nextChangesHref(path: string, input: ChangesInput, before: number): string {
  const query = new URLSearchParams();
  if (input.package !== null) query.set('package', input.package);
  if (input.forge !== null) query.set('forge', input.forge);
  if (input.state !== null) query.set('state', input.state);
  if (input.limit !== DEFAULT_PAGE) query.set('limit', String(input.limit));
  query.set('cursor', encodeCursor(before));
  return `${path}?${query.toString()}`;
}
