import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitDemoChange,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { git } from '../support/git-fixtures.js';

const eventTypes = async (datadir: string) => (await datadirEvents(datadir)).map((e) => e.type);

describe('what a pass leaves behind, on the demo packages (real git, rpmbuild)', () => {
  let root: string;
  let packages: DemoPackage[];
  let configFile: string;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const dlrn = (...args: string[]) =>
    runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), ...args]);
  const repos = () => join(root, 'data', 'repos');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-pass-outcomes-'));
    packages = await createDemoRepositories(root, start);
    const tool = packages.find((p) => p.name === 'broken-tool')!;
    await commitDemoChange(tool.upstream, 'Drop BUILD_OK (breaks the package)', start + 600, () =>
      rm(join(tool.upstream, 'BUILD_OK')),
    );
    configFile = await writeDemoConfig(root, packages);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('when the first success comes while another package is failing', () => {
    it('moves current to it, and makes no consistent repository (and no consistent vote) until no package fails', async () => {
      const failed = await dlrn('--package-name', 'broken-tool');
      expect(failed.code, failed.stderr).toBe(1);
      const built = await dlrn('--package-name', 'python-greeting');
      expect(built.code, built.stderr).toBe(0);

      expect(readlinkSync(join(repos(), 'current'))).toMatch(/_[0-9a-f]{8}$/);
      expect(existsSync(join(repos(), 'consistent'))).toBe(false);
      const types = await eventTypes(join(root, 'data'));
      expect(types).toContain('CurrentMoved');
      expect(types).not.toContain('ConsistentMoved');
      expect(types).not.toContain('CiVoteReported');
    }, 60_000);

    it('claimed each build for six hours (the lease a builder holds unless configured otherwise)', async () => {
      const claims = (await datadirEvents(join(root, 'data'))).filter((e) => e.type === 'BuildClaimed');
      expect(claims).toHaveLength(2);
      for (const claim of claims) {
        const lease =
          Date.parse((claim.data as { leaseExpiresAt: string }).leaseExpiresAt) - Date.parse(claim.recordedAt);
        expect(lease).toBeGreaterThan(6 * 3600_000 - 60_000);
        expect(lease).toBeLessThanOrEqual(6 * 3600_000);
      }
    });
  });

  describe("when python-greeting's upstream history is rewritten (a force-push drops the commit built last)", () => {
    let known: string;
    let newHead: string;
    const rewrites = async () =>
      (await datadirEvents(join(root, 'data'))).filter((e) => e.type === 'HistoryRewritten').map((e) => e.data);
    beforeAll(async () => {
      const greeting = packages.find((p) => p.name === 'python-greeting')!;
      known = (await git(greeting.upstream, ['rev-parse', 'HEAD'])).trim();
      writeFileSync(join(greeting.upstream, 'greeting.py'), 'print("rewritten")\n');
      await git(greeting.upstream, ['commit', '-q', '-a', '--amend', '-m', 'Rewritten']);
      newHead = (await git(greeting.upstream, ['rev-parse', 'HEAD'])).trim();
    });

    it('--run records no rewrite: a command run is no build pass', async () => {
      const run = await dlrn('--run', 'true', '--package-name', 'python-greeting');
      expect(run.code, run.stderr).toBe(0);
      expect(await rewrites()).toEqual([]);
    }, 60_000);

    it('a pass says so, records the rewrite and builds the new HEAD', async () => {
      const pass = await dlrn('--package-name', 'python-greeting');
      expect(pass.code, pass.stderr).toBe(0);
      expect(pass.stdout).toContain(
        `python-greeting: history of master was rewritten; ${known.slice(0, 7)} is gone, building the new HEAD`,
      );
      expect(pass.stdout).toMatch(new RegExp(`python-greeting ${newHead.slice(0, 7)} SUCCESS`));
      expect(await rewrites()).toEqual([
        { package: 'python-greeting', repository: 'source', branch: 'master', knownCommit: known, newHead },
      ]);
    }, 60_000);
  });

  describe('when --dev is given again for a commit it built already', () => {
    it('builds it again each time, in a throw-away history: the real one is left as it was', async () => {
      const before = await datadirEvents(join(root, 'data'));
      for (let i = 0; i < 2; i++) {
        const run = await dlrn('--dev', '--package-name', 'python-greeting');
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout + run.stderr).toMatch(/\[1\/1\] python-greeting [0-9a-f]{7} SUCCESS/);
      }
      expect(await datadirEvents(join(root, 'data'))).toEqual(before);
    }, 60_000);
  });

  describe('when a package cannot be refreshed (its upstream is gone)', () => {
    let brokenConfig: string;
    beforeAll(async () => {
      const gone = packages.map((p) => (p.name === 'demo-data' ? { ...p, upstream: join(root, 'git', 'gone') } : p));
      brokenConfig = await writeDemoConfig(root, gone);
    });
    const brokenPass = (...args: string[]) =>
      runDlrn([
        '--config-file',
        brokenConfig,
        '--info-repo',
        join(root, 'rdoinfo'),
        ...args,
        '--package-name',
        'demo-data',
      ]);
    const skipsRecorded = async () =>
      (await eventTypes(join(root, 'data'))).filter((type) => type === 'PackageSkipped').length;

    it('--run skips it, says so, and records nothing: a command run is no build pass', async () => {
      const before = await skipsRecorded();
      const run = await brokenPass('--run', 'true');
      expect(run.stdout + run.stderr).toMatch(/skipping demo-data: /);
      expect(await skipsRecorded()).toBe(before);
    }, 60_000);

    it('a build pass skips it and records the skip, with its reason', async () => {
      const before = await skipsRecorded();
      const run = await brokenPass();
      expect(run.stdout + run.stderr).toMatch(/skipping demo-data: /);
      expect(await skipsRecorded()).toBe(before + 1);
    }, 60_000);
  });
});
