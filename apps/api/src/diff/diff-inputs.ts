import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';

/** `GET /api/diff` and `/api/diff.html`: two repositories, each optionally as of a moment. */
export interface DiffInput {
  from: string;
  to: string;
  from_as_of: string | null;
  to_as_of: string | null;
}

/**
 * A repository reference: a repo hash (`<commit>_<distro8>` or `<commit>_<distro>`), `current`,
 * `consistent`, a promotion name, or a per-component pointer (`component/<c>/<name>`). One path
 * segment (a component's prefix aside), printable, at most 255 characters.
 */
const REF = /^(component\/[^/\\\p{Cc}]{1,255}\/)?[^/\\\p{Cc}]{1,255}$/u;

const ref = (name: string) => (value: string) => {
  if (!REF.test(value) || value === '.' || value === '..') {
    throw new DlrnHttpError(
      400,
      `Invalid ${name} ${JSON.stringify(value.slice(0, 80))}: expected a repo hash (<commit>_<distro>), current, consistent or a promotion name`,
    );
  }
  return value;
};

/** A global log position or an ISO-8601 date/time, as every `as_of`. */
const asOf = (name: string) => (value: string) => {
  if (/^\d{1,15}$/.test(value)) return value;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))) {
    return value;
  }
  throw new DlrnHttpError(
    400,
    `Invalid ${name} ${JSON.stringify(value.slice(0, 80))}: expected a log position or an ISO 8601 date/time`,
  );
};

export const DIFF: ModelSpec<DiffInput> = {
  fields: {
    from: {
      kind: 'strictStr',
      required: true,
      description: 'The older side: a repo hash `<commit>_<distro8>`, `current`, `consistent` or a promotion name',
      example: 'consistent',
      check: ref('from'),
    },
    to: {
      kind: 'strictStr',
      required: true,
      description: 'The newer side, as `from`',
      example: 'current',
      check: ref('to'),
    },
    from_as_of: {
      kind: 'strictStr',
      description: '`from` as it was at this log position or ISO 8601 time (needs the time-travel reader)',
      check: asOf('from_as_of'),
    },
    to_as_of: {
      kind: 'strictStr',
      description: '`to` as it was at this log position or ISO 8601 time (needs the time-travel reader)',
      check: asOf('to_as_of'),
    },
  },
};
