import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';

/** `GET /api/diff` and `/api/diff.html`: two repositories, each optionally as of a moment. */
export interface DiffInput {
  from: string;
  to: string;
  from_as_of: string | null;
  to_as_of: string | null;
  as_of: string | null;
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
      description: 'Read `from` as it pointed then: a log position or an ISO-8601 instant (as every `as_of`)',
      example: '2026-12-01T00:00:00Z',
    },
    to_as_of: {
      kind: 'strictStr',
      description: 'Read `to` as it pointed then (as `from_as_of`)',
    },
    as_of: {
      kind: 'strictStr',
      description: 'Both sides as of this moment, unless `from_as_of`/`to_as_of` says otherwise',
    },
  },
};
