import { beforeAll, describe, expect, it } from 'vitest';
import { repoFileContents, repoHash, shardedRepoDir } from './repo-path.js';
import {
  computeSnapshot,
  publicationDecision,
  renderVersionsCsv,
  type PackageHistory,
  type SnapshotBuild,
} from './snapshot.js';
import { aggregateStreamId, pointerStreamId } from './repo.events.js';

const c = '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a';
const d = 'aabbccddeeff00112233445566778899aabbccdd';

describe('sharded repo directory (Commit.getshardedcommitdir)', () => {
  it('shards by the first four characters and suffixes 8 chars of the distro hash', () => {
    expect(shardedRepoDir({ commitHash: c, distroHash: d, extendedHash: null })).toBe(`3f/2a/${c}_aabbccdd`);
  });

  it('adds 8 chars of a short extended hash', () => {
    expect(shardedRepoDir({ commitHash: c, distroHash: d, extendedHash: '20240101' })).toBe(
      `3f/2a/${c}_aabbccdd_20240101`,
    );
  });

  it('adds chars 0..8 and 41..49 of a double extended hash', () => {
    const ext = `${'1'.repeat(8)}${'x'.repeat(32)}_${'2'.repeat(8)}${'y'.repeat(32)}`;
    expect(ext.length).toBe(81);
    expect(shardedRepoDir({ commitHash: c, distroHash: d, extendedHash: ext })).toBe(
      `3f/2a/${c}_aabbccdd_11111111_22222222`,
    );
  });

  it('prefixes component/<c>/ unless the component is absent or the string None', () => {
    expect(shardedRepoDir({ commitHash: c, distroHash: d, extendedHash: null, component: 'tripleo' })).toBe(
      `component/tripleo/3f/2a/${c}_aabbccdd`,
    );
    expect(shardedRepoDir({ commitHash: c, distroHash: d, extendedHash: null, component: 'None' })).toBe(
      `3f/2a/${c}_aabbccdd`,
    );
  });

  it('omits the distro suffix when there is no distro hash', () => {
    expect(shardedRepoDir({ commitHash: c, distroHash: '', extendedHash: null })).toBe(`3f/2a/${c}`);
  });

  it('gives the API repo_hash without the extended part', () => {
    expect(repoHash({ commitHash: c, distroHash: d })).toBe(`${c}_aabbccdd`);
  });
});

describe('.repo file', () => {
  it('matches DLRN byte for byte', () => {
    expect(
      repoFileContents({
        reponame: 'delorean',
        packageName: 'openstack-nova',
        commitHash: c,
        baseurl: 'https://trunk.example.org/centos9',
        repoDir: `3f/2a/${c}_aabbccdd`,
      }),
    ).toBe(
      `[delorean]\nname=delorean-openstack-nova-${c}\nbaseurl=https://trunk.example.org/centos9/3f/2a/${c}_aabbccdd\nenabled=1\ngpgcheck=0\npriority=1\n`,
    );
  });

  it('names the section after the component in component mode', () => {
    expect(
      repoFileContents({
        reponame: 'delorean',
        packageName: 'p',
        commitHash: c,
        baseurl: 'http://x/',
        repoDir: 'r',
        component: 'cloud',
      }),
    ).toMatch(/^\[delorean-component-cloud\]\n.*\nbaseurl=http:\/\/x\/r\n/);
  });

  it('names the section after the repo alone when the component is the string None', () => {
    expect(
      repoFileContents({
        reponame: 'delorean',
        packageName: 'p',
        commitHash: c,
        baseurl: 'http://x',
        repoDir: 'r',
        component: 'None',
      }),
    ).toBe(`[delorean]\nname=delorean-p-${c}\nbaseurl=http://x/r\nenabled=1\ngpgcheck=0\npriority=1\n`);
  });
});

const build = (status: SnapshotBuild['status'], commitHash: string, dtBuild = 100): SnapshotBuild => ({
  commitHash,
  distroHash: d,
  extendedHash: null,
  status,
  dtBuild,
  artifacts: [
    `repos/xx/${commitHash}/${commitHash}-1.0-1.src.rpm`,
    `repos/xx/${commitHash}/${commitHash}-1.0-1.noarch.rpm`,
  ],
  nvr: `${commitHash}-1.0-1`,
});

describe('cumulative snapshot (post_build_rpm)', () => {
  const packages = [
    { name: 'a', upstream: 'https://git/a', distgit: 'https://dist/a', component: null },
    { name: 'b', upstream: 'https://git/b', distgit: 'https://dist/b', component: null },
    { name: 'c', upstream: null, distgit: 'https://dist/c', component: null },
    { name: 'd', upstream: 'https://git/d', distgit: 'https://dist/d', component: null },
  ];
  const histories: Record<string, PackageHistory> = {
    b: { lastSuccess: build('SUCCESS', 'b1'), lastProcessed: build('SUCCESS', 'b1') },
    c: { lastSuccess: build('SUCCESS', 'c1'), lastProcessed: build('FAILED', 'c2', 200) },
    d: { lastSuccess: null, lastProcessed: null },
  };
  // Computed in beforeAll, not while vitest collects the file (a mutant is active only for the tests).
  let snapshot: ReturnType<typeof computeSnapshot>;
  beforeAll(() => {
    snapshot = computeSnapshot({
      packages,
      built: { package: 'a', component: null, build: build('SUCCESS', 'a9', 300) },
      history: (name) => histories[name] ?? { lastSuccess: null, lastProcessed: null },
      useComponents: false,
    });
  });

  describe("when another package's newest build failed after an older success", () => {
    it('links the older success but shows the newest status', () => {
      expect(snapshot.linkedArtifacts).toContain('repos/xx/c1/c1-1.0-1.noarch.rpm');
      expect(snapshot.rows.find((r) => r.project === 'c')).toMatchObject({
        sourceSha: 'c1',
        status: 'FAILED',
        lastSuccessTimestamp: 100,
      });
    });
  });

  it('counts failing and never-built packages as failures, so the repo is not consistent', () => {
    expect(snapshot.failures).toBe(2);
    expect(snapshot.rows.map((r) => r.project)).toEqual(['a', 'b', 'c']);
  });

  it('renders versions.csv as DLRN: header, no quoting, None for nulls', () => {
    expect(renderVersionsCsv(snapshot.rows)).toBe(
      [
        'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR',
        `a,https://git/a,a9,https://dist/a,${d},SUCCESS,300,None,None,a9-1.0-1`,
        `b,https://git/b,b1,https://dist/b,${d},SUCCESS,100,None,None,b1-1.0-1`,
        `c,,c1,https://dist/c,${d},FAILED,100,None,None,c1-1.0-1`,
        '',
      ].join('\n'),
    );
  });

  describe('when components are on', () => {
    it('keeps the built component and component-less packages only', () => {
      const result = computeSnapshot({
        packages: [
          { name: 'a', upstream: null, distgit: null, component: 'cloud' },
          { name: 'b', upstream: null, distgit: null, component: 'network' },
          { name: 'c', upstream: null, distgit: null, component: null },
        ],
        built: { package: 'a', component: 'cloud', build: build('SUCCESS', 'a1') },
        history: () => ({ lastSuccess: build('SUCCESS', 'x'), lastProcessed: build('SUCCESS', 'x') }),
        useComponents: true,
      });
      expect(result.rows.map((r) => [r.project, r.component])).toEqual([
        ['a', 'cloud'],
        ['c', 'cloud'],
      ]);
      expect(result.failures).toBe(0);
    });
  });
});

describe('pointer moves', () => {
  it('moves current and consistent, and votes consistent, when nothing fails', () => {
    expect(publicationDecision({ failures: 0, publicationFailed: false, devMode: false })).toEqual({
      moveCurrent: true,
      moveConsistent: true,
      consistentVote: true,
    });
  });

  it('moves only current when some package is failing', () => {
    expect(publicationDecision({ failures: 1, publicationFailed: false, devMode: false })).toEqual({
      moveCurrent: true,
      moveConsistent: false,
      consistentVote: false,
    });
  });

  it('records no consistent vote in dev mode', () => {
    expect(publicationDecision({ failures: 0, publicationFailed: false, devMode: true }).consistentVote).toBe(false);
  });

  it('moves nothing when the publication failed (DLRN still moved current: fixed)', () => {
    expect(publicationDecision({ failures: 0, publicationFailed: true, devMode: false })).toEqual({
      moveCurrent: false,
      moveConsistent: false,
      consistentVote: false,
    });
  });
});

describe('repo streams', () => {
  it('name the aggregate of a name after it', () => {
    expect(aggregateStreamId('current')).toBe('aggregate-current');
    expect(aggregateStreamId('tripleo-ci-testing')).toBe('aggregate-tripleo-ci-testing');
  });

  it('name a pointer alone, or per component when components are on', () => {
    expect(pointerStreamId('consistent')).toBe('pointer-consistent');
    expect(pointerStreamId('current', 'cloud')).toBe('pointer-current@component/cloud');
  });
});
