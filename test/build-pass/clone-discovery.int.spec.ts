import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildHistory } from '#domain/build/build-history.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import {
  DEFAULT_PASS_OPTIONS,
  type BuildLoopDeps,
  type PassOptions,
} from '#application/build-pass/build-loop.types.js';
import { discoverPackage, type Candidate } from '#application/build-pass/package-discovery.js';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { historyWithFailedBuild } from '../support/build-commands.js';
import { git } from '../support/git-fixtures.js';

/**
 * discoverPackage with the rdoinfo driver on the demo packages (real clones, no build): which
 * commits a pass queues when the history has built them, under --run and --dev.
 */
describe('discovery from clones (rdoinfo), against a history', () => {
  let root: string;
  let store: EventStore;
  let deps: BuildLoopDeps;
  let greeting: PackageInfo;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-clone-discovery-'));
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    const loaded = await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') });
    store = new SqliteEventStore(':memory:');
    deps = createBuildLoopDeps({ config: loaded.config, packages: loaded.packages, store, log: () => undefined });
    greeting = loaded.packages.find((p) => p.name === 'python-greeting')!;
  }, 60_000);
  afterAll(async () => {
    await deps?.close?.();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const discover = async (history: BuildHistory, flags: Partial<PassOptions> = {}): Promise<Candidate[]> => {
    const outcome = await discoverPackage(deps, history, greeting, {
      ...DEFAULT_PASS_OPTIONS,
      headOnly: true,
      ...flags,
    });
    if (outcome.kind === 'skipped') throw new Error(`skipped: ${outcome.reason}`);
    return [...outcome.candidates];
  };

  /** Discovers python-greeting with `changes` to [DEFAULT] (a source branch, fallback rules). */
  const discoverWith = (changes: Partial<BuildLoopDeps['config']['default']>) =>
    discoverPackage(
      { ...deps, config: { ...deps.config, default: { ...deps.config.default, ...changes } } },
      new BuildHistory(),
      greeting,
      { ...DEFAULT_PASS_OPTIONS, headOnly: true },
    );

  describe('when the head commit was built with this dist-git commit', () => {
    it('a pass queues nothing; --run takes it again', async () => {
      const [head] = await discover(new BuildHistory());
      const history = await historyWithFailedBuild(head!);
      expect(await discover(history)).toEqual([]);
      expect(await discover(history, { run: 'true' })).toEqual([head]);
    });
  });

  describe('when the head commit was built in dev mode', () => {
    it('--dev builds it again, with the dist-git hash dev', async () => {
      const [dev] = await discover(new BuildHistory(), { dev: true });
      expect(dev).toMatchObject({ package: 'python-greeting', distroHash: 'dev' });
      expect(await discover(await historyWithFailedBuild(dev!), { dev: true })).toEqual([dev]);
    });
  });

  describe('when projects.ini names no source or distro branch', () => {
    it('takes master and rpm-master, as DLRN does', async () => {
      expect(await discoverWith({ source: null, distro: null })).toMatchObject({
        kind: 'ok',
        candidates: [{ commitBranch: 'master' }],
      });
    });
  });

  describe('when the configured source branch is gone', () => {
    const upstream = () => (greeting.upstream as string).replace(/^file:\/\//, '');

    it('and its tag 2024.1-eol is left, builds the tagged commit', async () => {
      const tagged = (await git(upstream(), ['rev-parse', 'HEAD'])).trim();
      await git(upstream(), ['tag', '2024.1-eol']);
      expect(await discoverWith({ source: 'stable/2024.1' })).toMatchObject({
        kind: 'ok',
        candidates: [{ commitHash: tagged, commitBranch: '2024.1-eol' }],
      });
    });

    it('and nothing is left of it, builds master with fallback_to_master, and skips the package without', async () => {
      expect(await discoverWith({ source: 'stable/2023.2', fallbackToMaster: true })).toMatchObject({
        kind: 'ok',
        candidates: [{ commitBranch: 'master' }],
      });
      expect(await discoverWith({ source: 'stable/2023.2', fallbackToMaster: false })).toMatchObject({
        kind: 'skipped',
        reason: expect.stringContaining('fallback_to_master is off'),
      });
    });

    it('and it matches nonfallback_branches, skips the package', async () => {
      expect(
        await discoverWith({ source: 'stable/2023.2', fallbackToMaster: true, nonfallbackBranches: ['stable/'] }),
      ).toMatchObject({
        kind: 'skipped',
        reason: expect.stringContaining("it matches nonfallback_branches pattern 'stable/', which never falls back"),
      });
    });
  });

  describe('with several upstream URLs', () => {
    const withUpstreams = (upstream: string[]) => ({ ...greeting, upstream });

    it('takes the commits of each clone, naming its upstream', async () => {
      const other = (deps.packages.find((p) => p.name !== 'python-greeting')!.upstream as string).replace(/\/+$/, '');
      const outcome = await discoverPackage(
        deps,
        new BuildHistory(),
        withUpstreams([greeting.upstream as string, other]),
        { ...DEFAULT_PASS_OPTIONS, headOnly: true },
      );
      expect(outcome.kind === 'skipped' ? outcome : outcome.candidates.map((c) => c.upstreamUrl)).toEqual([
        greeting.upstream,
        other,
      ]);
    });

    it('skips the package when two URLs end alike (they would share a clone)', async () => {
      const outcome = await discoverPackage(
        deps,
        new BuildHistory(),
        withUpstreams(['file:///srv/one/greeting', 'file:///srv/two/greeting']),
        DEFAULT_PASS_OPTIONS,
      );
      expect(outcome).toEqual({
        kind: 'skipped',
        reason: `two upstream URLs would share the clone ${join(deps.config.default.datadir, 'python-greeting', 'greeting')}`,
      });
    });
  });

  describe('when the last build came from a URL the package no longer lists, and its commit is not in the clone', () => {
    it('reports a history rewrite and takes the new HEAD only', async () => {
      const [head] = await discover(new BuildHistory());
      const moved = {
        ...head!,
        commitHash: 'f'.repeat(40),
        dtCommit: head!.dtCommit - 60,
        upstreamUrl: 'file:///srv/moved/greeting',
      };
      const outcome = await discoverPackage(deps, await historyWithFailedBuild(moved), greeting, DEFAULT_PASS_OPTIONS);
      expect(outcome).toMatchObject({
        kind: 'rewritten',
        knownCommit: 'f'.repeat(40),
        candidates: [{ commitHash: head!.commitHash }],
      });
    });
  });

  describe('with the local driver', () => {
    it('discovers through the local driver, which needs its package listed first', async () => {
      const local = { ...deps.config, default: { ...deps.config.default, pkginfoDriverName: 'local' as const } };
      expect(
        await discoverPackage({ ...deps, config: local }, new BuildHistory(), greeting, DEFAULT_PASS_OPTIONS),
      ).toEqual({
        kind: 'skipped',
        reason: 'the local driver lists its package at the start of the pass',
      });
    });
  });
});
