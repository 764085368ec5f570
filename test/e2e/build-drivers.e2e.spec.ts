import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { fakeFarmEnv, farmCalls, installFakeKoji } from '../support/fake-build-farm.js';

/** Each published repository directory (relative to repos/) and what of it a consumer reads. */
function repoLayout(reposDir: string): Record<string, string[]> {
  const layout: Record<string, string[]> = {};
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.name === 'repodata')) {
      layout[relative(reposDir, dir)] = entries
        // The release holds the build's date (dt_build, to the second): the two passes differ there.
        .map((e) => e.name.replace(/\.\d{14}\./, '.<dt_build>.'))
        .filter((name) => /\.rpm$|^repodata$|^delorean\.repo|^versions\.csv$|^commit\.yaml$|^installed$/.test(name))
        .sort();
      return;
    }
    for (const e of entries) if (e.isDirectory() && !e.isSymbolicLink()) walk(join(dir, e.name));
  };
  walk(reposDir);
  return layout;
}

/** The event types of the log, each with its stream, in log order. */
async function eventSummary(datadir: string): Promise<string[]> {
  return (await datadirEvents(datadir)).map((e) => `${e.type} ${e.streamId}`);
}

/*
 * The same three demo packages built twice from the same git repositories: once with the
 * rpmbuild driver, once with build_driver=koji on a fake koji client (a shell script named by
 * absolute koji_exe, that records its calls and rebuilds the uploaded source RPM with rpmbuild).
 */
describe('a build pass with build_driver=koji, through a fake koji client', () => {
  let root: string;
  let packages: DemoPackage[];
  let record: string;
  let koji: string;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const site = (name: string) => join(root, name);
  const dlrn = (name: string, env: NodeJS.ProcessEnv = {}, ...args: string[]) =>
    runDlrn(['--config-file', join(site(name), 'projects.ini'), '--info-repo', join(site(name), 'rdoinfo'), ...args], {
      env,
    });
  const kojiEnv = (mode: string) => {
    const { PATH, ...env } = fakeFarmEnv(join(root, 'bin'), record, mode);
    return { ...env, PATH: PATH ?? '' };
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-drivers-'));
    packages = await createDemoRepositories(root, start);
    record = join(root, 'koji-record');
    mkdirSync(record);
    mkdirSync(join(root, 'bin'));
    koji = installFakeKoji(join(root, 'bin'), 'cbs');
    for (const name of ['rpmbuild-site', 'koji-site']) {
      mkdirSync(site(name));
      await writeDemoConfig(site(name), packages);
    }
    const ini = join(site('koji-site'), 'projects.ini');
    writeFileSync(
      ini,
      readFileSync(ini, 'utf8').replace(
        'build_driver=rpmbuild',
        'build_driver=dlrn.drivers.kojidriver.KojiBuildDriver',
      ) + `\n[kojibuild_driver]\nkoji_exe=${koji}\nbuild_target=cloud9s-openstack-trunk-el9\nscratch_build=true\n`,
    );
    // Two of the three demo packages keep the test short on a loaded machine.
    const two = ['--package-name', 'python-greeting', '--package-name', 'demo-data'];
    const [plain, farm] = await Promise.all([
      dlrn('rpmbuild-site', {}, ...two),
      dlrn('koji-site', kojiEnv('ok'), ...two),
    ]);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    expect(farm.stderr).toBe('');
    expect(farm.code).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('when every koji task succeeds', () => {
    it('appends the same events as the rpmbuild driver, package by package', async () => {
      const [plain, farm] = await Promise.all([
        eventSummary(join(site('rpmbuild-site'), 'data')),
        eventSummary(join(site('koji-site'), 'data')),
      ]);
      expect(farm).toEqual(plain);
      expect(farm.filter((e) => e.startsWith('BuildSucceeded'))).toHaveLength(2);
    });

    it('publishes the same repository layout, with the same RPM file names, and the same current', () => {
      const repos = (name: string) => join(site(name), 'data', 'repos');
      const plain = repoLayout(repos('rpmbuild-site'));
      expect(Object.keys(plain)).toHaveLength(2);
      expect(repoLayout(repos('koji-site'))).toEqual(plain);
      expect(readlinkSync(join(repos('koji-site'), 'current'))).toBe(
        readlinkSync(join(repos('rpmbuild-site'), 'current')),
      );
      // A package never built leaves both without `consistent`, as DLRN does.
      expect(existsSync(join(repos('koji-site'), 'consistent'))).toBe(
        existsSync(join(repos('rpmbuild-site'), 'consistent')),
      );
    });

    it('ran one koji build --wait --scratch and one download-task per package built, and kept the koji logs in the repo', () => {
      const calls = farmCalls(record);
      expect(calls.map((c) => c.argv.slice(0, 3).join(' '))).toEqual([
        'build --wait --scratch',
        'download-task --logs 12345',
        'build --wait --scratch',
        'download-task --logs 12346',
      ]);
      const published = Object.keys(repoLayout(join(site('koji-site'), 'data', 'repos')));
      for (const dir of published)
        expect(readdirSync(join(site('koji-site'), 'data', 'repos', dir))).toEqual(
          expect.arrayContaining(['kojibuild.log', 'build_download.log', 'build.noarch.log', 'rpmbuild.log']),
        );
    });
  });

  describe('when the koji tasks then fail on a mirror error', () => {
    it('marks the new commit RETRY, as a mock build with a known transient error is', async () => {
      await addDemoCommits(packages, start);
      const run = await dlrn('koji-site', kojiEnv('transient'), '--package-name', 'python-greeting');
      expect(run.stdout + run.stderr).toMatch(/python-greeting [0-9a-f]{7} RETRY/);
      const events = await eventSummary(join(site('koji-site'), 'data'));
      const retries = events.filter((e) => e.startsWith('BuildRetryScheduled'));
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatch(/^BuildRetryScheduled build-python-greeting@/);
      expect(events.filter((e) => e.startsWith('BuildFailed'))).toHaveLength(0);
    });
  });
});
