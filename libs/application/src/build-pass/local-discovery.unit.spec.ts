import { describe, expect, it } from 'vitest';
import { BuildHistory } from '#domain/build/build-history.js';
import type { GitCommitInfo } from '#domain/package/git.ports.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { PackageSource, type ListedPackages } from '#domain/package/package-source.ports.js';
import { testEvent } from '../../../../test/support/events.js';
import { DEFAULT_PASS_OPTIONS, type BuildLoopDeps } from './build-loop.types.js';
import { discoverLocalPackage } from './local-discovery.js';

const HEAD: GitCommitInfo = { hash: 'e'.repeat(40), committedAt: 1_700_000_500 };

/** The local driver's source: the dist-git it copied has `head` as its last commit (or cannot be read). */
class CopiedDistgit extends PackageSource {
  readonly asked: [string, string][] = [];
  constructor(private readonly head: GitCommitInfo | Error) {
    super();
  }
  override async list(): Promise<ListedPackages> {
    return { packages: [], refused: [] };
  }
  override async lastChange(dir: string, path: string): Promise<GitCommitInfo> {
    this.asked.push([dir, path]);
    if (this.head instanceof Error) throw this.head;
    return this.head;
  }
}

const pkg: PackageInfo = {
  name: 'python-foo',
  project: 'foo',
  upstream: [],
  'master-distgit': 'file:///src/foo-distgit',
  maintainers: [],
  'source-branch': '1.2.3',
};
/** What the pass discovers for `pkg` with the dist-git at HEAD. */
const CANDIDATE = {
  package: 'python-foo',
  project: 'foo',
  type: 'rpm',
  commitHash: 'python-foo-1.2.3',
  distroHash: HEAD.hash,
  extendedHash: null,
  dtCommit: 0,
  dtDistro: HEAD.committedAt,
  dtExtended: null,
  commitBranch: '1.2.3',
  component: null,
  upstreamUrl: null,
  distgitUrl: 'file:///src/foo-distgit',
  versionsCsv: null,
  purpose: { kind: 'commit' },
};
const depsWith = (source: PackageSource | null) =>
  ({ config: { default: { datadir: '/data' } }, packageSource: source }) as unknown as BuildLoopDeps;

describe("the local driver's discovery (DLRN LocalDriver.getinfo)", () => {
  describe('when the package source copied the dist-git', () => {
    it('makes one pseudo-commit <name>-<version> on the branch <version>, paired with the last dist-git commit', async () => {
      const source = new CopiedDistgit(HEAD);
      const outcome = await discoverLocalPackage(depsWith(source), new BuildHistory(), pkg, DEFAULT_PASS_OPTIONS);
      expect(outcome).toEqual({
        kind: 'ok',
        distgitDir: '/data/python-foo_distro',
        sourceDir: '/data/python-foo',
        candidates: [CANDIDATE],
      });
      expect(source.asked).toEqual([['/data/python-foo_distro', '.']]);
    });

    it('with --dev, the dist-git hash is dev', async () => {
      const outcome = await discoverLocalPackage(depsWith(new CopiedDistgit(HEAD)), new BuildHistory(), pkg, {
        ...DEFAULT_PASS_OPTIONS,
        dev: true,
      });
      expect(outcome).toMatchObject({ kind: 'ok', candidates: [{ distroHash: 'dev' }] });
    });
  });

  describe('when the same pair was built already', () => {
    /** A history where the pair `distroHash` (by default the dist-git's HEAD) failed to build. */
    const built = (distroHash = HEAD.hash) => {
      const history = new BuildHistory();
      const stream = `build-python-foo@python-foo-1.2.3_${distroHash}`;
      history.apply({ ...testEvent('CommitDiscovered', { ...CANDIDATE, distroHash }), streamId: stream, position: 1 });
      history.apply({
        ...testEvent('BuildClaimed', {
          buildId: 'b',
          attempt: 1,
          builderId: 'x',
          leaseExpiresAt: '2030-01-01T00:00:00Z',
        }),
        streamId: stream,
        position: 2,
      });
      history.apply({
        ...testEvent('BuildFailed', { buildId: 'b', notes: 'boom', repoDir: 'r', retryable: false }),
        streamId: stream,
        position: 3,
      });
      return history;
    };

    it('queues nothing; --run takes it again', async () => {
      const deps = depsWith(new CopiedDistgit(HEAD));
      const discover = (options = {}) =>
        discoverLocalPackage(deps, built(), pkg, { ...DEFAULT_PASS_OPTIONS, ...options });
      expect(await discover()).toMatchObject({ kind: 'ok', candidates: [] });
      expect(await discover({ run: 'true' })).toMatchObject({ candidates: [{ commitHash: 'python-foo-1.2.3' }] });
    });

    it('--dev builds it again, as DLRN does', async () => {
      const history = built('dev');
      const options = { ...DEFAULT_PASS_OPTIONS, dev: true };
      expect(
        history.hasBuild({ type: 'rpm', commitHash: 'python-foo-1.2.3', distroHash: 'dev', extendedHash: null }),
      ).toBe(true);
      expect(await discoverLocalPackage(depsWith(new CopiedDistgit(HEAD)), history, pkg, options)).toMatchObject({
        candidates: [{ commitHash: 'python-foo-1.2.3', distroHash: 'dev' }],
      });
    });
  });

  describe('when it cannot discover', () => {
    it('skips a package the source has not listed (no version), or without a package source, saying why', async () => {
      const reason = 'the local driver lists its package at the start of the pass';
      const { 'source-branch': _, ...unlisted } = pkg;
      expect(
        await discoverLocalPackage(
          depsWith(new CopiedDistgit(HEAD)),
          new BuildHistory(),
          unlisted,
          DEFAULT_PASS_OPTIONS,
        ),
      ).toEqual({ kind: 'skipped', reason });
      expect(await discoverLocalPackage(depsWith(null), new BuildHistory(), pkg, DEFAULT_PASS_OPTIONS)).toEqual({
        kind: 'skipped',
        reason,
      });
    });

    it("skips a package whose copied dist-git cannot be read, with git's reason", async () => {
      const source = new CopiedDistgit(new Error('not a git repository: /data/python-foo_distro'));
      expect(await discoverLocalPackage(depsWith(source), new BuildHistory(), pkg, DEFAULT_PASS_OPTIONS)).toEqual({
        kind: 'skipped',
        reason: 'not a git repository: /data/python-foo_distro',
      });
    });
  });
});
