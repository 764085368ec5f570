import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import type { ModelSpec } from '../http/dlrn-input.js';

/** The inputs of DLRN's endpoints (`dlrn/api/inputs/*.py`), field for field, check for check. */

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
    check: (v: number) => {
      if (v < 0) throw new DlrnHttpError(400, 'Max age parameter must be greater than or equal to 0');
      return v;
    },
  },
  success: { kind: 'bool' },
  job_id: { kind: 'strictStr' },
  sequential_mode: { kind: 'bool' },
  previous_job_id: { kind: 'strictStr' },
  component: { kind: 'strictStr' },
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
  fields: { ...lastTestedRepoFields, reporting_job_id: { kind: 'strictStr', required: true } },
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
    commit_hash: { kind: 'strictStr', required: true },
    distro_hash: { kind: 'strictStr', required: true },
    extended_hash: { kind: 'strictStr' },
    success: { kind: 'bool' },
  },
};

export interface AggStatusInput {
  aggregate_hash: string;
  success: boolean | null;
}

export const AGG_STATUS: ModelSpec<AggStatusInput> = {
  fields: { aggregate_hash: { kind: 'strictStr', required: true }, success: { kind: 'bool' } },
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
    commit_hash: { kind: 'strictStr' },
    distro_hash: { kind: 'strictStr' },
    extended_hash: { kind: 'strictStr' },
    aggregate_hash: { kind: 'strictStr' },
    promote_name: { kind: 'strictStr' },
    offset: { kind: 'nonNegativeInt' },
    limit: { kind: 'nonNegativeInt', check: (v: number) => Math.min(v, MAX_PROMOTIONS_LIMIT) },
    component: { kind: 'strictStr' },
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
    commit_hash: { kind: 'strictStr' },
    distro_hash: { kind: 'strictStr' },
    extended_hash: { kind: 'strictStr' },
    promote_name: {
      kind: 'strictStr',
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
    start_date: { kind: 'str', required: true, check: parseDlrnDate },
    end_date: { kind: 'str', required: true, check: parseDlrnDate },
    package_name: { kind: 'strictStr' },
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
    timestamp: { kind: 'int', required: true },
    success: { kind: 'bool', required: true },
    job_id: { kind: 'strictStr', required: true },
    url: { kind: 'str', required: true },
    commit_hash: { kind: 'strictStr' },
    distro_hash: { kind: 'strictStr' },
    extended_hash: { kind: 'strictStr' },
    aggregate_hash: { kind: 'strictStr' },
    notes: { kind: 'strictStr', default: '' },
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
  fields: { package_name: { kind: 'strictStr', required: true } },
};

export interface RemoteImportInput {
  repo_url: string;
}

export const REMOTE_IMPORT: ModelSpec<RemoteImportInput> = {
  fields: {
    repo_url: {
      kind: 'strictStr',
      required: true,
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
