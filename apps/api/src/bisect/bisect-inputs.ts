import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';

/** `GET /api/bisect` and `POST /api/bisect`: a package and two upstream commits. */
export interface BisectInput {
  package: string;
  good: string;
  bad: string;
}

const HASH = /^[0-9a-f]{4,64}$/;

const commit = (name: string) => (value: string) => {
  if (!HASH.test(value)) {
    throw new DlrnHttpError(
      400,
      `Invalid ${name} ${JSON.stringify(value.slice(0, 80))}: expected a commit hash or unique prefix (4 to 64 lower-case hexadecimal digits)`,
    );
  }
  return value;
};

const packageName = (value: string) => {
  if (value === '' || value.length > 255 || /[/\\\p{Cc}]/u.test(value)) {
    throw new DlrnHttpError(400, `Invalid package ${JSON.stringify(value.slice(0, 80))}: expected a package name`);
  }
  return value;
};

export const BISECT: ModelSpec<BisectInput> = {
  fields: {
    package: {
      kind: 'strictStr',
      required: true,
      description: 'The package',
      example: 'python-nova',
      check: packageName,
    },
    good: {
      kind: 'strictStr',
      required: true,
      description: 'An upstream commit that built (hash or unique prefix)',
      example: '1c67b1ab8c6fe273d4e175a14f0df5d3cbbd0edf',
      check: commit('good'),
    },
    bad: {
      kind: 'strictStr',
      required: true,
      description: 'A later upstream commit on its first-parent line that failed',
      example: '9f2e4c0d1b7a8e6f5d4c3b2a1908f7e6d5c4b3a2',
      check: commit('bad'),
    },
  },
};
