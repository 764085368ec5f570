import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildHistory } from '#domain/build/build-history.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import {
  DEFAULT_PASS_OPTIONS,
  type BuildLoopDeps,
  type PassOptions,
} from '#application/build-pass/build-loop.types.js';
import { discoverDownstreamPackage } from '#application/build-pass/downstream-discovery.js';
import { historyWithFailedBuild } from '../support/build-commands.js';

const run = promisify(execFile);
const HEADER = 'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp';

async function git(cwd: string, args: string[], date?: number): Promise<string> {
  const stamp = date === undefined ? {} : { GIT_AUTHOR_DATE: `${date} +0000`, GIT_COMMITTER_DATE: `${date} +0000` };
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.org',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.org',
    ...stamp,
  };
  return (await run('git', args, { cwd, env })).stdout.trim();
}

async function commit(repo: string, branch: string, files: Record<string, string>, date: number): Promise<string> {
  if (!existsSync(repo)) {
    await mkdir(repo, { recursive: true });
    await git(repo, ['init', '-q', '-b', branch]);
  }
  for (const [path, text] of Object.entries(files)) {
    if (text.startsWith('->')) symlinkSync(text.slice(2), join(repo, path));
    else await writeFile(join(repo, path), text);
  }
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', `change at ${date}`], date);
  return git(repo, ['rev-parse', 'HEAD']);
}

/**
 * discoverDownstreamPackage against real clones (no build): what it pins, what it skips, and
 * what use_upstream_spec leaves in the downstream dist-git.
 */
describe('downstream discovery with real clones', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-ds-discovery-'));
  const t0 = 1_700_000_000;
  const repos = {
    source: join(root, 'git', 'src'),
    distgit: join(root, 'git', 'distgit'),
    dsDistgit: join(root, 'git', 'ds-distgit'),
  };
  const hashes = { source: '', sourceHead: '', dist: '', dsDistgit: '' };
  let store: EventStore;
  let deps: BuildLoopDeps;
  const logged: string[] = [];

  /** Discovers the package `name` with these flags, on `using`'s dependencies and history (default: none built). */
  async function discover(
    name: string,
    flags: Partial<PassOptions> = {},
    using: { deps?: BuildLoopDeps; history?: BuildHistory } = {},
  ) {
    const pkg = deps.packages.find((p) => p.name === name)!;
    return discoverDownstreamPackage(using.deps ?? deps, using.history ?? new BuildHistory(), pkg, {
      ...DEFAULT_PASS_OPTIONS,
      ...flags,
    });
  }

  /** Runs `body` with versions.csv changed by `change`, then puts it back. */
  async function withVersions<T>(change: (csv: string) => string, body: () => Promise<T>): Promise<T> {
    const csv = join(root, 'versions.csv');
    const before = readFileSync(csv, 'utf8');
    writeFileSync(csv, change(before));
    try {
      return await body();
    } finally {
      writeFileSync(csv, before);
    }
  }

  beforeAll(async () => {
    hashes.source = await commit(repos.source, 'master', { 'marker.txt': 'one\n' }, t0);
    hashes.sourceHead = await commit(repos.source, 'master', { 'marker.txt': 'two\n' }, t0 + 60);
    hashes.dist = await commit(
      repos.distgit,
      'rpm-master',
      {
        'pkg.spec': 'Name: pkg\nRelease: 1%{?dist}\n%changelog\n* upstream entry\n',
        'extra.patch': 'patch\n',
        '.hidden': 'no\n',
        'passwd.patch': '->/etc/passwd',
      },
      t0,
    );
    hashes.dsDistgit = await commit(
      repos.dsDistgit,
      'rhos',
      { 'pkg.spec': 'Name: pkg\n%changelog\n* downstream entry\n' },
      t0 + 30,
    );
    const row = (name: string, source: string, time: string) =>
      `${name},file://${repos.source},${source},file://${repos.distgit},${hashes.dist},SUCCESS,${time}`;
    await writeFile(
      join(root, 'versions.csv'),
      [
        HEADER,
        row('pkg', hashes.source, String(t0)),
        row('unpinnable', 'f'.repeat(40), String(t0)),
        row('no-time', hashes.source, 'None'),
      ].join('\n') + '\n',
    );
    const entry = (name: string) =>
      `- project: ${name}\n  name: ${name}\n  upstream: file://${repos.source}\n  master-distgit: file://${repos.distgit}\n  distgit: file://${repos.dsDistgit}`;
    await writeFile(
      join(root, 'rdo.yml'),
      `releases: []\npackage-default:\n  maintainers: [p@example.org]\npackages:\n${['pkg', 'unpinnable', 'no-time'].map(entry).join('\n')}\n`,
    );
    const configFile = join(root, 'projects.ini');
    await writeFile(
      configFile,
      `[DEFAULT]\ndatadir=./data\nbaseurl=http://x/\ntarget=centos9\nsource=master\ndistro=rpm-master\npkginfo_driver=downstream\nkeep_changelog=true\n\n[downstream_driver]\nrepo=.\ninfo_files=rdo.yml\nversions_url=versions.csv\ndownstream_distro_branch=rhos\nuse_upstream_spec=true\ndownstream_spec_replace_list=^Release:.*/Release: 9%{?dist}\n`,
    );
    const { config, packages } = await loadConfiguration({ configFile });
    store = await openEventStore(config.service.eventStoreTarget);
    deps = createBuildLoopDeps({ config, packages, store, log: (line) => logged.push(line) });
  }, 60_000);

  afterAll(async () => {
    await deps?.close?.();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when no downstream source git is configured', () => {
    it('pins the CSV commits, with the downstream dist-git commit alone as the extended hash', async () => {
      const outcome = await discover('pkg');
      expect(outcome.kind).toBe('ok');
      const [candidate] = outcome.kind === 'ok' ? outcome.candidates : [];
      expect(candidate).toMatchObject({
        commitHash: hashes.source,
        distroHash: hashes.dist,
        extendedHash: hashes.dsDistgit,
        dtCommit: t0,
        dtDistro: 0,
        dtExtended: t0 + 30,
        commitBranch: 'master',
        versionsCsv: 'versions.csv',
      });
      expect(await git(join(root, 'data', 'pkg_distro_upstream'), ['rev-parse', 'HEAD'])).toBe(hashes.dist);
    });
  });

  describe('when use_upstream_spec copies the upstream dist-git', () => {
    const distro = () => join(root, 'data', 'pkg_distro');

    it('rewrites the copied spec and keeps the downstream changelog', async () => {
      expect((await discover('pkg')).kind).toBe('ok');
      expect(readFileSync(join(distro(), 'pkg.spec'), 'utf8')).toBe(
        'Name: pkg\nRelease: 9%{?dist}\n%changelog\n* downstream entry\n',
      );
      expect(readFileSync(join(distro(), 'extra.patch'), 'utf8')).toBe('patch\n');
    });

    it('copies neither hidden files nor a link leading out of the clone, saying so', async () => {
      logged.length = 0;
      expect((await discover('pkg')).kind).toBe('ok');
      expect(existsSync(join(distro(), '.hidden'))).toBe(false);
      expect(lstatSync(join(distro(), 'passwd.patch'), { throwIfNoEntry: false })).toBeUndefined();
      expect(logged).toEqual([
        'pkg: use_upstream_spec: not copying passwd.patch: a symbolic link to something other than a file of the upstream dist-git',
      ]);
    });
  });

  describe('when the clones exist (after a first pass)', () => {
    it('--local builds the source checkout as it is, keeping the pinned dist-git commit', async () => {
      const outcome = await discover('pkg', { local: true });
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({
        commitHash: hashes.sourceHead,
        dtCommit: t0 + 60,
        distroHash: hashes.dist,
      });
    });

    it('--dev builds with dev hashes', async () => {
      const outcome = await discover('pkg', { dev: true });
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({
        commitHash: hashes.source,
        distroHash: 'dev',
        extendedHash: 'dev',
      });
    });
  });

  describe('when both dist-gits were committed to since the last refresh', () => {
    let newer: string;
    let upstreamNewer: string;
    beforeAll(async () => {
      await discover('pkg');
      newer = await commit(repos.dsDistgit, 'rhos', { 'notes.txt': 'newer\n' }, t0 + 90);
      upstreamNewer = await commit(repos.distgit, 'rpm-master', { 'notes.txt': 'upstream newer\n' }, t0 + 90);
    });
    it('--local and --dev keep the clones as they are (no fetch)', async () => {
      for (const flags of [{ local: true }, { dev: true }]) {
        const outcome = await discover('pkg', flags);
        expect(await git(join(root, 'data', 'pkg_distro'), ['rev-parse', 'HEAD'])).not.toBe(newer);
        expect(await git(join(root, 'data', 'pkg_distro_upstream'), ['rev-parse', 'HEAD'])).toBe(hashes.dist);
        expect(outcome.kind).toBe('ok');
      }
    });
    it('a pass fetches it, and the new commit is the extended hash', async () => {
      const outcome = await discover('pkg');
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({ extendedHash: newer });
    });
    it('a pass fetches the upstream dist-git when versions.csv pins its new commit, and checks that out', async () => {
      const outcome = await withVersions(
        (csv) =>
          csv.replace(
            `${hashes.source},file://${repos.distgit},${hashes.dist}`,
            `${hashes.source},file://${repos.distgit},${upstreamNewer}`,
          ),
        () => discover('pkg'),
      );
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({ distroHash: upstreamNewer });
      expect(await git(join(root, 'data', 'pkg_distro_upstream'), ['rev-parse', 'HEAD'])).toBe(upstreamNewer);
    });
  });

  describe('when the build of the pinned commits is in the history already', () => {
    /** The history where the build `flags` discover for pkg failed. */
    const failedBuild = async (flags: Partial<PassOptions>) => {
      const first = await discover('pkg', flags);
      const [candidate] = first.kind === 'ok' ? first.candidates : [];
      return historyWithFailedBuild(candidate!);
    };

    it('a pass queues nothing; --run takes it again', async () => {
      const history = await failedBuild({});
      expect(await discover('pkg', {}, { history })).toMatchObject({ kind: 'ok', candidates: [] });
      expect(await discover('pkg', { run: 'true' }, { history })).toMatchObject({
        kind: 'ok',
        candidates: [{ commitHash: hashes.source }],
      });
    });

    it('--dev takes its dev build again', async () => {
      const history = await failedBuild({ dev: true });
      expect(await discover('pkg', { dev: true }, { history })).toMatchObject({
        kind: 'ok',
        candidates: [{ commitHash: hashes.source, distroHash: 'dev', extendedHash: 'dev' }],
      });
    });
  });

  it('skips a package whose downstream dist-git key is empty, naming the key', async () => {
    const pkg = { ...deps.packages.find((p) => p.name === 'pkg')!, distgit: '' };
    expect(await discoverDownstreamPackage(deps, new BuildHistory(), pkg, DEFAULT_PASS_OPTIONS)).toEqual({
      kind: 'skipped',
      reason: "missing 'distgit'",
    });
  });

  it('reads versions.csv once per pass (per options object), whatever changes during the pass', async () => {
    const pkg = deps.packages.find((p) => p.name === 'pkg')!;
    const pass = { ...DEFAULT_PASS_OPTIONS };
    const pinned = async (options: typeof pass) => {
      const outcome = await discoverDownstreamPackage(deps, new BuildHistory(), pkg, options);
      return outcome.kind === 'ok' ? outcome.candidates[0]?.commitHash : outcome;
    };
    expect(await pinned(pass)).toBe(hashes.source);
    await withVersions(
      (csv) =>
        csv.replace(`pkg,file://${repos.source},${hashes.source}`, `pkg,file://${repos.source},${hashes.sourceHead}`),
      async () => {
        expect(await pinned(pass)).toBe(hashes.source);
        expect(await pinned({ ...DEFAULT_PASS_OPTIONS })).toBe(hashes.sourceHead);
      },
    );
  });

  describe('with other [downstream_driver] settings', () => {
    const withDriver = (changes: object) => ({
      deps: { ...deps, config: { ...deps.config, downstreamDriver: { ...deps.config.downstreamDriver, ...changes } } },
    });

    it('skips a package without the key downstream_source_git_key names, saying which', async () => {
      const outcome = await discover('pkg', {}, withDriver({ downstreamSourceGitKey: 'downstream-source' }));
      expect(outcome).toEqual({ kind: 'skipped', reason: "missing 'downstream-source' (downstream_source_git_key)" });
    });

    it('with downstream_source_git_key and its branch, fetches the downstream source too: both hashes extended', async () => {
      const pkg = { ...deps.packages.find((p) => p.name === 'pkg')!, 'downstream-source': `file://${repos.dsDistgit}` };
      const { deps: withSource } = withDriver({
        downstreamSourceGitKey: 'downstream-source',
        downstreamSourceGitBranch: 'rhos',
      });
      const outcome = await discoverDownstreamPackage(withSource, new BuildHistory(), pkg, { ...DEFAULT_PASS_OPTIONS });
      const dsHead = await git(repos.dsDistgit, ['rev-parse', 'HEAD']);
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({
        extendedHash: `${dsHead}_${dsHead}`,
      });
    });

    it('without source and distro in [DEFAULT], takes master, and rpm-master under --dev', async () => {
      const bare = {
        deps: { ...deps, config: { ...deps.config, default: { ...deps.config.default, source: null, distro: null } } },
      };
      for (const flags of [{}, { dev: true }]) {
        const outcome = await discover('pkg', flags, bare);
        expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({ commitBranch: 'master' });
      }
    });

    it('stops the pass when a versions_url cannot be read, naming the key', async () => {
      await expect(discover('pkg', {}, withDriver({ versionsUrl: ['missing.csv'] }))).rejects.toThrow(
        /^\[downstream_driver\] versions_url: .*missing\.csv/,
      );
    });

    it('skips a package whose spec directory the upstream dist-git lacks, saying use_upstream_spec failed', async () => {
      const pkg = { ...deps.packages.find((p) => p.name === 'pkg')!, 'distgit-path': 'no-such-dir' };
      const outcome = await discoverDownstreamPackage(deps, new BuildHistory(), pkg, { ...DEFAULT_PASS_OPTIONS });
      expect(outcome).toMatchObject({
        kind: 'skipped',
        reason: expect.stringMatching(/^use_upstream_spec: .*no-such-dir/),
      });
    });

    it('without use_upstream_spec, builds the downstream dist-git as it is', async () => {
      const outcome = await discover('pkg', {}, withDriver({ useUpstreamSpec: false }));
      expect(outcome.kind).toBe('ok');
      expect(readFileSync(join(root, 'data', 'pkg_distro', 'pkg.spec'), 'utf8')).toBe(
        'Name: pkg\n%changelog\n* downstream entry\n',
      );
    });
  });

  it('--local builds the checkout even when the clone lacks the pinned source commit', async () => {
    const outcome = await discover('unpinnable', { local: true });
    expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({ commitHash: hashes.sourceHead });
  });

  it('skips a package whose pinned source commit the clone does not have, naming the CSV line', async () => {
    expect(await discover('unpinnable')).toEqual({
      kind: 'skipped',
      reason: `Source Sha ${'f'.repeat(40)} (versions.csv, line 3) is not in file://${repos.source}, branch master`,
    });
  });

  it("stops on a timestamp that is not a number, with DLRN's message", async () => {
    await expect(discover('no-time')).rejects.toThrow(
      'versions.csv versions.csv, line 4: In versions file versions.csv, "Last Success Timestamp" field of package "no-time" has an invalid timestamp value.',
    );
  });

  describe('with several versions_url files', () => {
    it('skips a package none lists, naming every file', async () => {
      await writeFile(join(root, 'other.csv'), `${HEADER}\n`);
      const pkg = { ...deps.packages.find((p) => p.name === 'pkg')!, name: 'absent' };
      const several = { ...deps.config.downstreamDriver, versionsUrl: ['versions.csv', 'other.csv'] };
      const outcome = await discoverDownstreamPackage(
        { ...deps, config: { ...deps.config, downstreamDriver: several } },
        new BuildHistory(),
        pkg,
        { ...DEFAULT_PASS_OPTIONS },
      );
      expect(outcome).toEqual({ kind: 'skipped', reason: 'not present in versions.csv,other.csv' });
    });
  });

  describe('with several upstream URLs', () => {
    const other = join(root, 'git', 'other-src');
    beforeAll(async () => {
      await commit(other, 'master', { 'other.txt': 'other\n' }, t0);
    });
    const withUpstreams = (name: string) => ({
      ...deps.packages.find((p) => p.name === name)!,
      upstream: [`file://${other}`, `file://${repos.source}`],
    });

    it('builds the pin from the clone that has it, naming that upstream', async () => {
      const outcome = await discoverDownstreamPackage(deps, new BuildHistory(), withUpstreams('pkg'), {
        ...DEFAULT_PASS_OPTIONS,
      });
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({
        commitHash: hashes.source,
        upstreamUrl: `file://${repos.source}`,
      });
    });

    it('builds the pin from the first listed clone when several have it', async () => {
      const mirror = join(root, 'git', 'src-mirror');
      await run('git', ['clone', '-q', repos.source, mirror]);
      const pkg = { ...withUpstreams('pkg'), upstream: [`file://${mirror}`, `file://${repos.source}`] };
      const outcome = await discoverDownstreamPackage(deps, new BuildHistory(), pkg, { ...DEFAULT_PASS_OPTIONS });
      expect(outcome.kind === 'ok' ? outcome.candidates[0] : outcome).toMatchObject({
        upstreamUrl: `file://${mirror}`,
      });
    });

    it('skips a pin no clone has, naming every upstream', async () => {
      const outcome = await discoverDownstreamPackage(deps, new BuildHistory(), withUpstreams('unpinnable'), {
        ...DEFAULT_PASS_OPTIONS,
      });
      expect(outcome).toEqual({
        kind: 'skipped',
        reason: `Source Sha ${'f'.repeat(40)} (versions.csv, line 3) is not in file://${other}, file://${repos.source}, branch master`,
      });
    });
  });

  it('stops when git fails otherwise than by lacking the pinned commit', async () => {
    const broken = {
      ...deps,
      git: {
        refresh: (request: Parameters<BuildLoopDeps['git']['refresh']>[0]) => deps.git.refresh(request),
        firstParentRange: () => Promise.reject(new Error('git: object file is empty')),
      } as unknown as BuildLoopDeps['git'],
    };
    await expect(discover('pkg', {}, { deps: broken })).rejects.toThrow('git: object file is empty');
  });
});
