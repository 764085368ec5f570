import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BuildStatus } from '#domain/build/build.state.js';
import {
  computeSnapshot,
  publicationDecision,
  renderVersionsCsv,
  VERSIONS_CSV_HEADER,
  type PackageHistory,
  type SnapshotBuild,
  type SnapshotPackage,
  type VersionsCsvRow,
} from '#domain/repo/snapshot.js';

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), arb);
const status = fc.constantFrom<BuildStatus>('SUCCESS', 'FAILED', 'RETRY');

const build = (withStatus: fc.Arbitrary<BuildStatus>): fc.Arbitrary<SnapshotBuild> =>
  fc.record({
    commitHash: hex(40),
    distroHash: hex(40),
    extendedHash: maybe(hex(40)),
    status: withStatus,
    dtBuild: fc.integer({ min: 1_500_000_000, max: 1_900_000_000 }),
    artifacts: fc.array(fc.stringMatching(/^repos\/[a-z0-9/_-]{1,30}\.rpm$/), { maxLength: 3 }),
    nvr: maybe(fc.stringMatching(/^[a-z]{1,8}-[0-9]\.[0-9]-[0-9]\.el9$/)),
  });

/** DLRN writes versions.csv unquoted (shell.py dumpshas2file), so cells never hold a comma. */
const url = fc.webUrl().filter((u) => !u.includes(','));

const row: fc.Arbitrary<VersionsCsvRow> = fc.record({
  project: name,
  sourceRepo: maybe(url),
  sourceSha: hex(40),
  distRepo: maybe(url),
  distSha: hex(40),
  status,
  lastSuccessTimestamp: fc.integer({ min: 0, max: 2_000_000_000 }),
  component: maybe(name),
  extendedSha: maybe(hex(40)),
  pkgNvr: maybe(fc.stringMatching(/^[a-z]{1,8}-[0-9]\.[0-9]-[0-9]\.el9$/)),
});

/** A package list with a history per package: never built, or a last build and maybe an older success. */
const world = fc
  .uniqueArray(
    fc.record({
      name,
      component: maybe(fc.constantFrom('compute', 'network', 'common')),
      last: maybe(build(status)),
      success: maybe(build(fc.constant<BuildStatus>('SUCCESS'))),
    }),
    { minLength: 1, maxLength: 8, selector: (p) => p.name },
  )
  .chain((packages) =>
    fc.record({
      packages: fc.constant(packages),
      builtIndex: fc.integer({ min: 0, max: packages.length - 1 }),
      built: build(fc.constant<BuildStatus>('SUCCESS')),
      useComponents: fc.boolean(),
    }),
  );

type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

function snapshotOf(w: World) {
  const listed: SnapshotPackage[] = w.packages.map((p) => ({
    name: p.name,
    upstream: `https://git.example.org/${p.name}`,
    distgit: null,
    component: p.component,
  }));
  const builtPackage = w.packages[w.builtIndex]!;
  const history = (pkg: string): PackageHistory => {
    const p = w.packages.find((q) => q.name === pkg)!;
    // A last SUCCESS is the last success; otherwise the older success, if any, stays linked.
    const lastSuccess = p.last?.status === 'SUCCESS' ? p.last : p.last === null ? null : p.success;
    return { lastSuccess, lastProcessed: p.last };
  };
  const snapshot = computeSnapshot({
    packages: listed,
    built: { package: builtPackage.name, component: builtPackage.component, build: w.built },
    history,
    useComponents: w.useComponents,
  });
  const inScope = w.packages.filter(
    (p) => !w.useComponents || p.component === null || p.component === builtPackage.component,
  );
  return { snapshot, inScope, builtPackage, history };
}

describe('versions.csv rows, for every combination of component and extended hash (properties)', () => {
  it('renders ten cells per row, None for a missing dist repo, component or extended sha, nothing for a missing NVR', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), (rows) => {
        const lines = renderVersionsCsv(rows).split('\n');
        expect(lines[0]).toBe(VERSIONS_CSV_HEADER);
        expect(lines.at(-1)).toBe('');
        expect(lines).toHaveLength(rows.length + 2);
        rows.forEach((r, i) => {
          const cells = lines[i + 1]!.split(',');
          expect(cells).toEqual([
            r.project,
            r.sourceRepo ?? '',
            r.sourceSha,
            r.distRepo ?? 'None',
            r.distSha,
            r.status,
            String(r.lastSuccessTimestamp),
            r.component ?? 'None',
            r.extendedSha ?? 'None',
            r.pkgNvr ?? '',
          ]);
        });
      }),
    );
  });
});

describe('the snapshot of a successful build, over random package histories (properties)', () => {
  it('lists the built package as SUCCESS and every other package of its component with a build, showing its last status and its last success', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { snapshot, inScope, builtPackage, history } = snapshotOf(w);
        const listed = inScope.filter((p) => p === builtPackage || p.last !== null);
        expect(snapshot.rows.map((r) => r.project)).toEqual(listed.map((p) => p.name));
        for (const r of snapshot.rows) {
          expect(r.component).toBe(builtPackage.component);
          if (r.project === builtPackage.name) {
            expect(r).toMatchObject({
              status: 'SUCCESS',
              sourceSha: w.built.commitHash,
              extendedSha: w.built.extendedHash,
            });
            continue;
          }
          const { lastSuccess, lastProcessed } = history(r.project);
          const shown = lastSuccess ?? lastProcessed!;
          expect(r).toMatchObject({
            status: lastProcessed!.status,
            sourceSha: shown.commitHash,
            distSha: shown.distroHash,
            extendedSha: shown.extendedHash,
            lastSuccessTimestamp: Math.trunc(shown.dtBuild),
          });
        }
      }),
    );
  });

  it('links the last success of every other package of the component, and nothing of a package that never succeeded', () => {
    fc.assert(
      fc.property(world, (w) => {
        const { snapshot, inScope, builtPackage, history } = snapshotOf(w);
        const expected = inScope
          .filter((p) => p !== builtPackage)
          .flatMap((p) => history(p.name).lastSuccess?.artifacts ?? []);
        expect(snapshot.linkedArtifacts).toEqual(expected);
      }),
    );
  });

  it('is consistent only when no other package of the component is failing, retrying or never built', () => {
    fc.assert(
      fc.property(world, fc.boolean(), fc.boolean(), (w, publicationFailed, devMode) => {
        const { snapshot, inScope, builtPackage } = snapshotOf(w);
        const failing = inScope.filter((p) => p !== builtPackage && p.last?.status !== 'SUCCESS');
        expect(snapshot.failures).toBe(failing.length);
        const decision = publicationDecision({ failures: snapshot.failures, publicationFailed, devMode });
        expect(decision.moveCurrent).toBe(!publicationFailed);
        expect(decision.moveConsistent).toBe(!publicationFailed && failing.length === 0);
        expect(decision.consistentVote).toBe(decision.moveConsistent && !devMode);
      }),
    );
  });
});
