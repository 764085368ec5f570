import type { BuildReportFilters, VoteDetailFilters, AggVoteDetailFilters } from '#reports/index.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { parseModel } from '../http/dlrn-input.js';

/** A query string as Fastify parses it: repeated keys give arrays; DLRN reads the first value. */
export type RawQuery = Readonly<Record<string, unknown>>;

function first(query: RawQuery, name: string): string | null {
  const value = Array.isArray(query[name]) ? (query[name] as unknown[])[0] : query[name];
  return typeof value === 'string' ? value : null;
}

/** A filter DLRN's page script passes on when present; an empty value means no filter here. */
function filter(query: RawQuery, name: string): string | null {
  const value = first(query, name);
  return value === null || value === '' ? null : value;
}

/** The offsets DLRN's page scripts read with `parseInt`: anything else is no offset. */
function scriptOffset(query: RawQuery): number {
  const value = Number.parseInt(first(query, 'offset') ?? '', 10);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function firstValues(query: RawQuery): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** civotes.html and civotes_agg.html: DLRN's `CIVotesInput` (`offset`, a non-negative int). */
export function votesOffset(query: RawQuery): number {
  const { offset } = parseModel<{ offset: number | null }>(
    { fields: { offset: { kind: 'nonNegativeInt' } } },
    firstValues(query),
  );
  return offset ?? 0;
}

/** report.html: `package`, `component`, `success` (`1` or not), `offset`. */
export function buildReportFilters(query: RawQuery): BuildReportFilters {
  return {
    package: filter(query, 'package'),
    component: filter(query, 'component'),
    success: filter(query, 'success'),
    offset: scriptOffset(query),
  };
}

/** civotes_detail.html: DLRN's `CIVotesDetailInput`, then the script's `success` and `offset`. */
export function voteDetailFilters(query: RawQuery): { filters: VoteDetailFilters; offset: number } {
  const values = parseModel<{
    commit_hash: string | null;
    distro_hash: string | null;
    component: string | null;
    ci_name: string | null;
  }>(
    {
      fields: {
        commit_hash: { kind: 'strictStr' },
        distro_hash: { kind: 'strictStr' },
        component: { kind: 'strictStr' },
        ci_name: { kind: 'strictStr' },
      },
      root: (v) => {
        if ((!v.commit_hash || !v.distro_hash) && !v.component && !v.ci_name) {
          throw new DlrnHttpError(
            400,
            'Please specify either commit_hash+distro_hash, component or ci_name as parameters.',
          );
        }
      },
    },
    firstValues(query),
  );
  return {
    filters: {
      commitHash: values.commit_hash || null,
      distroHash: values.distro_hash || null,
      component: values.component || null,
      ciName: values.ci_name || null,
      success: filter(query, 'success'),
    },
    offset: scriptOffset(query),
  };
}

/** civotes_agg_detail.html: DLRN's `CIVotesAggDetailInput`, then `success` and `offset`. */
export function aggVoteDetailFilters(query: RawQuery): { filters: AggVoteDetailFilters; offset: number } {
  const values = parseModel<{ ref_hash: string | null; ci_name: string | null }>(
    {
      fields: { ref_hash: { kind: 'strictStr' }, ci_name: { kind: 'strictStr' } },
      root: (v) => {
        if (!v.ref_hash && !v.ci_name) {
          throw new DlrnHttpError(400, 'Please specify either ref_hash or ci_name as parameters.');
        }
      },
    },
    firstValues(query),
  );
  return {
    filters: { refHash: values.ref_hash || null, ciName: values.ci_name || null, success: filter(query, 'success') },
    offset: scriptOffset(query),
  };
}
