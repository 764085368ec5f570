import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BuildStatus } from '#domain/build/build.state.js';
import { shownFirstFailure } from '#domain/projections/dlrn-read-rules.js';
import { packageStatusProjection } from '#domain/projections/package-status.projection.js';
import { EventLog, given } from '../support/projection-spec.js';

interface Result {
  readonly status: BuildStatus;
  readonly dtBuild: number;
}

/**
 * DLRN's rule over the whole history (reference/dlrn.md, status_report.html): the last success is
 * the newest SUCCESS by id; the first failure is the FAILED build with the lowest id whose dt_build
 * is strictly later than that success's (any FAILED build when the package never succeeded);
 * shown only while the last build is FAILED.
 */
function dlrnFirstFailure(results: readonly Result[]): number | null {
  const last = results.at(-1);
  if (last?.status !== 'FAILED') return null;
  const lastSuccess = results.findLastIndex((r) => r.status === 'SUCCESS');
  const since = lastSuccess < 0 ? null : results[lastSuccess]!.dtBuild;
  const index = results.findIndex((r) => r.status === 'FAILED' && (since === null || r.dtBuild > since));
  return index < 0 ? null : index;
}

/**
 * One package's builds run one after the other, so dt_build never decreases along the ids; it
 * often repeats (builds within one second). Each build is a status and the seconds since the last.
 */
const history = fc
  .array(
    fc.record({
      status: fc.constantFrom<BuildStatus>('SUCCESS', 'FAILED', 'RETRY'),
      step: fc.constantFrom(0, 0, 1, 60),
    }),
    {
      minLength: 1,
      maxLength: 30,
    },
  )
  .map((steps) => {
    let dtBuild = 1_700_000_000;
    return steps.map(({ status, step }): Result => ({ status, dtBuild: (dtBuild += step) }));
  });

function shown(results: readonly Result[]): string | null {
  const log = new EventLog();
  results.forEach((r, i) => log.build('nova', `c${i}`, r.status, { dtBuild: r.dtBuild }));
  const doc = given(log.events).then(packageStatusProjection).get('nova');
  return doc ? (shownFirstFailure(doc)?.commitHash ?? null) : null;
}

describe('first failure after success, over random histories with equal timestamps (properties)', () => {
  it('is the FAILED build with the lowest id strictly later than the last success, as DLRN computes it over the whole history', () => {
    fc.assert(
      fc.property(history, (results) => {
        const index = dlrnFirstFailure(results);
        expect(shown(results)).toBe(index === null ? null : `c${index}`);
      }),
      { numRuns: 300 },
    );
  });

  it('is none when the only failure after the last success has the same second as that success', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }), (second) => {
        expect(
          shown([
            { status: 'SUCCESS', dtBuild: second },
            { status: 'FAILED', dtBuild: second },
          ]),
        ).toBeNull();
      }),
    );
  });

  it('stays the first failure of a run longer than the projection keeps in full (runs over 100 builds are folded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 95, max: 260 }),
        fc.array(fc.constantFrom<BuildStatus>('FAILED', 'RETRY'), { minLength: 1, maxLength: 4 }),
        (length, pattern) => {
          const results: Result[] = [{ status: 'SUCCESS', dtBuild: 1_700_000_000 }];
          for (let i = 0; i < length; i++)
            results.push({ status: pattern[i % pattern.length]!, dtBuild: 1_700_000_000 + i });
          results.push({ status: 'FAILED', dtBuild: 1_700_000_000 + length });
          const index = dlrnFirstFailure(results);
          expect(shown(results)).toBe(index === null ? null : `c${index}`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
