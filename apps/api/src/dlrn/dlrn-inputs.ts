import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';
import { COMMIT_HASH_EXAMPLE, DISTRO_HASH_EXAMPLE } from './openapi-examples.js';

/**
 * The inputs of DLRN's endpoints (`dlrn/api/inputs/*.py`), field for field, check for check; the
 * OpenAPI description of each field is written here too (http/api-input.ts turns it into one).
 */

// Fields several inputs share, described once.
const commitHash = { kind: 'strictStr', description: 'Commit hash of the repo', example: COMMIT_HASH_EXAMPLE } as const;
const distroHash = {
  kind: 'strictStr',
  description: 'Distro hash of the repo (its packaging commit)',
  example: DISTRO_HASH_EXAMPLE,
} as const;
const extendedHash = { kind: 'strictStr', description: 'Extended hash of the repo, when it has one' } as const;
const aggregateHash = { kind: 'strictStr', description: 'Hash of an aggregated repo (components)' } as const;
const votedSuccess = {
  kind: 'bool',
  description: 'Only successful (true) or unsuccessful (false) votes',
} as const;
const promoteName = {
  kind: 'strictStr',
  description: 'Promotion name (the symlink)',
  example: 'current-passed-ci',
} as const;

export interface LastTestedRepoInput {
  max_age: number;
  success: boolean | null;
  job_id: string | null;
  sequential_mode: boolean | null;
  previous_job_id: string | null;
  component: string | null;
}

const lastTestedRepoFields = {
  max_age: {
    kind: 'int',
    required: true,
    description: 'Maximum age of the vote in hours (0: any)',
    example: 24,
    check: (v: number) => {
      if (v < 0) throw new DlrnHttpError(400, 'Max age parameter must be greater than or equal to 0');
      return v;
    },
  },
  success: votedSuccess,
  job_id: { kind: 'strictStr', description: 'Name of the CI job that voted', example: 'periodic-tempest' },
  sequential_mode: { kind: 'bool', description: 'Only look at previous_job_id' },
  previous_job_id: { kind: 'strictStr', description: 'Required with sequential_mode' },
  component: { kind: 'strictStr', description: 'Only votes on this component' },
} as const;

const sequentialNeedsPrevious = (values: Partial<LastTestedRepoInput>): void => {
  if (values.sequential_mode && (values.previous_job_id === null || values.previous_job_id === undefined)) {
    throw new DlrnHttpError(400, 'Missing parameter previous_job_id');
  }
};

export const LAST_TESTED_REPO: ModelSpec<LastTestedRepoInput> = {
  fields: lastTestedRepoFields,
  root: sequentialNeedsPrevious,
};

export interface LastTestedRepoPostInput extends LastTestedRepoInput {
  reporting_job_id: string;
}

export const LAST_TESTED_REPO_POST: ModelSpec<LastTestedRepoPostInput> = {
  fields: {
    ...lastTestedRepoFields,
    reporting_job_id: {
      kind: 'strictStr',
      required: true,
      description: 'The CI job claiming the repo (its in-progress vote)',
      example: 'phase2-ci',
    },
  },
  root: sequentialNeedsPrevious,
};

export interface RepoStatusInput {
  commit_hash: string;
  distro_hash: string;
  extended_hash: string | null;
  success: boolean | null;
}

export const REPO_STATUS: ModelSpec<RepoStatusInput> = {
  fields: {
    commit_hash: { ...commitHash, required: true },
    distro_hash: { ...distroHash, required: true },
    extended_hash: extendedHash,
    success: votedSuccess,
  },
};

export interface AggStatusInput {
  aggregate_hash: string;
  success: boolean | null;
}

export const AGG_STATUS: ModelSpec<AggStatusInput> = {
  fields: { aggregate_hash: { ...aggregateHash, required: true }, success: votedSuccess },
};

export interface PromotionsInput {
  commit_hash: string | null;
  distro_hash: string | null;
  extended_hash: string | null;
  aggregate_hash: string | null;
  promote_name: string | null;
  offset: number | null;
  limit: number | null;
  component: string | null;
}

export const MAX_PROMOTIONS_LIMIT = 100;

export const PROMOTIONS: ModelSpec<PromotionsInput> = {
  fields: {
    commit_hash: { ...commitHash, description: 'With distro_hash' },
    distro_hash: { ...distroHash, description: 'With commit_hash' },
    extended_hash: extendedHash,
    aggregate_hash: aggregateHash,
    promote_name: promoteName,
    offset: { kind: 'nonNegativeInt', description: 'Skip this many (≥ 0)' },
    limit: {
      kind: 'nonNegativeInt',
      description: `At most this many (≥ 0, cut to ${MAX_PROMOTIONS_LIMIT})`,
      check: (v: number) => Math.min(v, MAX_PROMOTIONS_LIMIT),
    },
    component: { kind: 'strictStr', description: 'Only promotions of this component' },
  },
  root: (values) => {
    if (Boolean(values.distro_hash) !== Boolean(values.commit_hash)) {
      throw new DlrnHttpError(400, 'Both commit_hash and distro_hash must be specified if one of them is.');
    }
  },
};

export interface PromoteInput {
  commit_hash: string | null;
  distro_hash: string | null;
  extended_hash: string | null;
  promote_name: string;
}

export const PROMOTE: ModelSpec<PromoteInput> = {
  fields: {
    commit_hash: { ...commitHash, requiredByRoot: true },
    distro_hash: { ...distroHash, requiredByRoot: true },
    extended_hash: { ...extendedHash, nullable: true, example: 'None' },
    promote_name: {
      ...promoteName,
      required: true,
      check: (name: string) => {
        // DLRN refuses the reserved names here, and path escapes later with the same answer.
        if (promotionNameProblem(name) === 'reserved') throw new DlrnHttpError(403, `Invalid promote_name ${name}`);
        // Names that cannot be stored are refused with the answer of the other unusable names,
        // before anything is appended (else 500): whitespace is not allowed in the stream id, and
        // the link's name must fit in a file name (255 bytes; 254 kept from DLRN's `<name>_`).
        if (/\s/.test(name) || Buffer.byteLength(name) > 254)
          throw new DlrnHttpError(403, `Invalid promote_name ${name}`);
        return name;
      },
    },
  },
  root: (values) => {
    if (!values.distro_hash || !values.commit_hash) {
      throw new DlrnHttpError(400, 'Both commit_hash and distro_hash must be specified.');
    }
  },
};

export interface MetricsInput {
  start_date: number;
  end_date: number;
  package_name: string | null;
}

/** `YYYY-mm-dd` (as `time.strptime` reads it: 1–2 digit month and day are accepted) → UTC midnight. */
export function parseDlrnDate(value: string): number {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const fail = (): never => {
    throw new DlrnHttpError(400, 'Invalid date format, it must be YYYY-mm-dd');
  };
  if (!match) return fail();
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const date = new Date(at);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) fail();
  return at / 1000;
}

export const METRICS: ModelSpec<MetricsInput> = {
  fields: {
    start_date: {
      kind: 'str',
      required: true,
      description: 'YYYY-mm-dd (UTC)',
      example: '2026-11-01',
      check: parseDlrnDate,
    },
    end_date: {
      kind: 'str',
      required: true,
      description: 'YYYY-mm-dd (UTC), excluded',
      example: '2026-11-25',
      check: parseDlrnDate,
    },
    package_name: { kind: 'strictStr', description: 'Only this package', example: 'python-nova' },
  },
};

export interface ReportResultInput {
  timestamp: number;
  success: boolean;
  job_id: string;
  url: string;
  commit_hash: string | null;
  distro_hash: string | null;
  extended_hash: string | null;
  aggregate_hash: string | null;
  notes: string | null;
}

export const REPORT_RESULT: ModelSpec<ReportResultInput> = {
  fields: {
    timestamp: { kind: 'int', required: true, description: 'When the CI job ran (epoch seconds)', example: 1700000000 },
    success: { kind: 'bool', required: true, description: "The job's verdict", example: true },
    job_id: { kind: 'strictStr', required: true, description: 'Name of the CI job', example: 'periodic-tempest' },
    url: { kind: 'str', required: true, description: "The job's logs", example: 'https://ci.example.org/job/42' },
    commit_hash: { ...commitHash, description: 'With distro_hash (or give aggregate_hash)' },
    distro_hash: { ...distroHash, description: 'With commit_hash' },
    extended_hash: extendedHash,
    aggregate_hash: { ...aggregateHash, description: 'Instead of commit_hash and distro_hash' },
    notes: { kind: 'strictStr', default: '', description: 'Free text', example: '' },
  },
  root: (v) => {
    if (!v.commit_hash && !v.distro_hash && !v.aggregate_hash) {
      throw new DlrnHttpError(400, '"Either the aggregate hash or both commit_hash and distro_hash must be provided"');
    }
    if (v.commit_hash && !v.distro_hash) {
      throw new DlrnHttpError(400, 'If commit_hash is provided, distro_hash must be provided too');
    }
    if (v.distro_hash && !v.commit_hash) {
      throw new DlrnHttpError(400, 'If distro_hash is provided, commit_hash must be provided too');
    }
    if (v.aggregate_hash && (v.distro_hash || v.commit_hash)) {
      throw new DlrnHttpError(400, 'aggregate_hash and commit/distro_hash cannot be combined');
    }
  },
};

export interface RecheckPackageInput {
  package_name: string;
}

export const RECHECK_PACKAGE: ModelSpec<RecheckPackageInput> = {
  fields: { package_name: { kind: 'strictStr', required: true, description: 'Package name', example: 'python-nova' } },
};

export interface RemoteImportInput {
  repo_url: string;
}

export const REMOTE_IMPORT: ModelSpec<RemoteImportInput> = {
  fields: {
    repo_url: {
      kind: 'strictStr',
      required: true,
      description: "The build's hashed repo, on the worker that built it",
      example: 'https://worker.example.org/repos/1c/67/1c67b1ab_8170b868',
      check: (value: string) => {
        const url = URL.canParse(value) ? new URL(value) : null;
        if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
          throw new DlrnHttpError(400, "Errors detected: 1 {'repo_url': 'invalid or missing URL scheme'}");
        }
        return value;
      },
    },
  },
};
