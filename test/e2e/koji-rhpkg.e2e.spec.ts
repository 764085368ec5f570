import { execFileSync } from 'node:child_process';
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
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { runDlrn } from '../support/cli.js';
import { fakeFarmEnv, farmCalls, installFakeKoji, installFakeRhpkg } from '../support/fake-build-farm.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

async function events(datadir: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(datadir, 'events.sqlite'));
  try {
    return await store.readAll({ maxCount: 100_000 });
  } finally {
    await store.close();
  }
}

/*
 * koji's rhpkg flow (use_rhpkg=true) in a real build pass, through fake kinit, rhpkg and koji
 * clients on PATH (none can run here). The demo package's dist-git is the origin rhpkg pushes to,
 * as rhpkg pushes to the real dist-git: the next pass discovers the commit the build made.
 */
describe('a build pass with use_rhpkg=true, through fake kinit, rhpkg and koji', () => {
  let root: string;
  let record: string;
  let greeting: DemoPackage;
  let distroBefore: string;
  let upstreamHead: string;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const datadir = () => join(root, 'site', 'data');
  const dlrn = (...extra: string[]) =>
    runDlrn(
      [
        '--config-file',
        join(root, 'site', 'projects.ini'),
        '--info-repo',
        join(root, 'site', 'rdoinfo'),
        '--package-name',
        'python-greeting',
        ...extra,
      ],
      { env: fakeFarmEnv(join(root, 'bin'), record, 'ok', { FAKE_RHPKG_TARGET: 'cloud9s-openstack-trunk-el9' }) },
    );
  let first: Awaited<ReturnType<typeof dlrn>>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-rhpkg-'));
    const packages = await createDemoRepositories(root, start);
    greeting = packages.find((p) => p.name === 'python-greeting')!;
    // The dist-git accepts rhpkg's push into its checked-out branch, as a hosted one would.
    git(greeting.distgit, 'config', 'receive.denyCurrentBranch', 'updateInstead');
    distroBefore = git(greeting.distgit, 'rev-parse', 'HEAD');
    upstreamHead = git(greeting.upstream, 'rev-parse', 'HEAD');
    record = join(root, 'record');
    mkdirSync(record);
    mkdirSync(join(root, 'bin'));
    installFakeKoji(join(root, 'bin'));
    installFakeRhpkg(join(root, 'bin'));
    mkdirSync(join(root, 'site'));
    await writeDemoConfig(join(root, 'site'), packages);
    const ini = join(root, 'site', 'projects.ini');
    writeFileSync(
      ini,
      readFileSync(ini, 'utf8').replace('build_driver=rpmbuild', 'build_driver=koji') +
        '\n[kojibuild_driver]\nbuild_target=cloud9s-openstack-trunk-el9\nscratch_build=false\nuse_rhpkg=true\n' +
        'krb_principal=dlrn/builder.example.org@EXAMPLE.ORG\nkrb_keytab=/etc/dlrn/dlrn.keytab\n',
    );
    first = await dlrn();
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds the package once, from the dist-git commit rhpkg pushed', () => {
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    const pushed = git(greeting.distgit, 'log', '-1', '--format=%H%n%B');
    const [hash, ...message] = pushed.split('\n');
    expect(hash).not.toBe(distroBefore);
    expect(message.join('\n')).toContain(
      `Source SHA: ${upstreamHead}\nDist SHA: ${distroBefore}\nNVR: python-greeting-`,
    );
    expect(farmCalls(record).map((call) => call.argv.slice(0, 2).join(' '))).toEqual([
      '-k -t',
      'import --skip-diff',
      'commit -p',
      'build --skip-nvr-check',
      'download-task --logs',
    ]);
  });

  it('records the move from the old triple to the new one, and the success there', async () => {
    const newDistro = git(greeting.distgit, 'rev-parse', 'HEAD');
    const log = await events(datadir());
    const moved = log.filter((e) => e.type === 'BuildMoved');
    expect(moved).toHaveLength(1);
    expect(moved[0]!.streamId).toContain(`${upstreamHead}_${distroBefore}`);
    expect(moved[0]!.data).toMatchObject({ distroHash: newDistro, cause: 'rhpkg commit' });
    const toStream = (moved[0]!.data as { toStreamId: string }).toStreamId;
    expect(toStream).toContain(`${upstreamHead}_${newDistro}`);
    expect(log.filter((e) => e.type === 'BuildSucceeded').map((e) => e.streamId)).toEqual([toStream]);
    expect(log.filter((e) => e.type === 'BuildFailed')).toEqual([]);
  });

  it("publishes the repository in the new triple's directory, with current pointing there", () => {
    const newDistro = git(greeting.distgit, 'rev-parse', 'HEAD');
    const repos = join(datadir(), 'repos');
    const dir = `${upstreamHead.slice(0, 2)}/${upstreamHead.slice(2, 4)}/${upstreamHead}_${newDistro.slice(0, 8)}`;
    expect(readlinkSync(join(repos, 'current'))).toBe(dir);
    const files = readdirSync(join(repos, dir));
    expect(files).toEqual(expect.arrayContaining(['rhpkgbuild.log', 'rhpkgimport.log', 'kerberos.log', 'repodata']));
    expect(files.filter((name) => name.endsWith('.noarch.rpm'))).toHaveLength(1);
    expect(readFileSync(join(repos, dir, 'commit.yaml'), 'utf8')).toContain(`distro_hash: ${newDistro}`);
    expect(
      existsSync(
        join(
          repos,
          `${upstreamHead.slice(0, 2)}/${upstreamHead.slice(2, 4)}/${upstreamHead}_${distroBefore.slice(0, 8)}`,
        ),
      ),
    ).toBe(false);
  });

  it('builds nothing on the next pass: the commit rhpkg made is already built (no endless loop)', async () => {
    const calls = farmCalls(record).length;
    const before = (await events(datadir())).length;
    const again = await dlrn();
    expect(again.code).toBe(0);
    expect(farmCalls(record)).toHaveLength(calls);
    const added = (await events(datadir())).slice(before).map((e) => e.type);
    expect(added.filter((type) => type.startsWith('Build') || type === 'CommitDiscovered')).toEqual([]);
  });

  it('refuses --dev before any rhpkg run: rhpkg would push the dev run to the real dist-git', async () => {
    const calls = farmCalls(record).length;
    const distgitHead = git(greeting.distgit, 'rev-parse', 'HEAD');
    const dev = await dlrn('--dev');
    expect(dev.code).toBe(1);
    expect(dev.stderr).toContain('--dev: use_rhpkg=true: rhpkg commit -p would push');
    expect(farmCalls(record)).toHaveLength(calls);
    expect(git(greeting.distgit, 'rev-parse', 'HEAD')).toBe(distgitHead);
  });
});
