import { copyFile, lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { YAML11_SCHEMA, load } from 'js-yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PublishRequest } from '#domain/repo/repo.ports.js';
import { repoFileContents } from '#domain/repo/repo-path.js';
import type { VersionsCsvRow } from '#domain/repo/snapshot.js';
import { type BuiltRpm, buildNoarchRpm } from '../../../../test/support/rpm-fixtures.js';
import { FsRepoPublisher } from './fs-repo.publisher.js';

const NEW = { commit: 'abcdef0123456789abcdef0123456789abcdef01', distro: '1234567890abcdef1234567890abcdef12345678' };
const NEW_DIR = `ab/cd/${NEW.commit}_12345678`;
const STAGING = `ab/cd/.staging-${NEW.commit}_12345678`;
const A_DIR = 'aa/aa/aaaa000000000000000000000000000000000000_11111111';
const B_DIR = 'bb/bb/bbbb000000000000000000000000000000000000_22222222';

let cache: string;
let rpms: { fresh: BuiltRpm; a: BuiltRpm; b: BuiltRpm };
let reposDir: string;
const publisher = new FsRepoPublisher();

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'dlrn-rpms-'));
  const [fresh, a, b] = await Promise.all(
    ['python-fresh', 'pkg-a', 'pkg-b'].map((name) => buildNoarchRpm({ outDir: cache, name, version: '2.0' })),
  );
  if (!fresh || !a || !b) throw new Error('rpm fixtures missing');
  rpms = { fresh, a, b };
});
afterAll(() => rm(cache, { recursive: true, force: true }));

beforeEach(async () => {
  reposDir = join(await mkdtemp(join(tmpdir(), 'dlrn-data-')), 'repos');
  for (const [dir, rpm] of [
    [A_DIR, rpms.a],
    [B_DIR, rpms.b],
    [STAGING, rpms.fresh],
  ] as const) {
    await mkdir(join(reposDir, dir), { recursive: true });
    for (const file of [rpm.rpm, rpm.srpm]) await copyFile(file, join(reposDir, dir, file.split('/').pop() ?? ''));
  }
});
afterEach(() => rm(join(reposDir, '..'), { recursive: true, force: true }));

const csvRow = (project: string, sha: string, nvr: string): VersionsCsvRow => ({
  project,
  sourceRepo: `https://github.com/openstack/${project}`,
  sourceSha: sha,
  distRepo: `https://github.com/rdo-packages/${project}-distgit.git`,
  distSha: 'd'.repeat(40),
  status: 'SUCCESS',
  lastSuccessTimestamp: 1700000000,
  component: null,
  extendedSha: null,
  pkgNvr: nvr,
});

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    reposDir,
    repoDir: NEW_DIR,
    stagingDir: join(reposDir, STAGING),
    linkedArtifacts: [A_DIR, B_DIR].flatMap((dir, i) => {
      const rpm = i === 0 ? rpms.a : rpms.b;
      return [`repos/${dir}/${rpm.nvr}.noarch.rpm`, `repos/${dir}/${rpm.nvr}.src.rpm`];
    }),
    versions: [csvRow('pkg-a', 'aaaa', rpms.a.nvr), csvRow('python-fresh', NEW.commit, rpms.fresh.nvr)],
    commitYaml: { id: 7, project_name: 'python-fresh', commit_hash: NEW.commit, extended_hash: null, flags: 0 },
    repoFile: {
      name: 'delorean.repo',
      contents: repoFileContents({
        reponame: 'delorean',
        packageName: 'python-fresh',
        commitHash: NEW.commit,
        baseurl: 'https://trunk.example.org/centos9',
        repoDir: NEW_DIR,
      }),
    },
    withRepodata: true,
    includeSrpm: true,
    ...overrides,
  };
}

/** `location href` and arch of every package in the repodata's primary.xml.gz. */
async function primaryPackages(dir: string): Promise<string[]> {
  const repomd = await readFile(join(dir, 'repodata', 'repomd.xml'), 'utf8');
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)?.[1];
  if (!href) throw new Error('no primary in repomd.xml');
  const xml = gunzipSync(await readFile(join(dir, href))).toString('utf8');
  return [...xml.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1] ?? '').sort();
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

describe('when a build is published into a repo with two other packages', () => {
  it('holds its own RPMs and relative links resolving to the other packages files', async () => {
    await publisher.publish(request());
    const dir = join(reposDir, NEW_DIR);
    expect(await exists(join(reposDir, STAGING))).toBe(false);
    expect((await lstat(join(dir, `${rpms.fresh.nvr}.noarch.rpm`))).isFile()).toBe(true);
    const link = join(dir, `${rpms.a.nvr}.noarch.rpm`);
    expect(await readlink(link)).toBe(`../../../${A_DIR}/${rpms.a.nvr}.noarch.rpm`);
    expect(await realpath(link)).toBe(await realpath(join(reposDir, A_DIR, `${rpms.a.nvr}.noarch.rpm`)));
    expect(await readlink(join(dir, `${rpms.b.nvr}.src.rpm`))).toBe(`../../../${B_DIR}/${rpms.b.nvr}.src.rpm`);
  });

  it('indexes every package, links included, in primary.xml.gz', async () => {
    await publisher.publish(request());
    const files = [rpms.fresh, rpms.a, rpms.b].flatMap((r) => [`${r.nvr}.noarch.rpm`, `${r.nvr}.src.rpm`]);
    expect(await primaryPackages(join(reposDir, NEW_DIR))).toEqual(files.sort());
  });

  it('writes versions.csv, the .repo file and commit.yaml as DLRN does', async () => {
    await publisher.publish(request());
    const dir = join(reposDir, NEW_DIR);
    expect(await readFile(join(dir, 'versions.csv'), 'utf8')).toBe(
      'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR\n' +
        `pkg-a,https://github.com/openstack/pkg-a,aaaa,https://github.com/rdo-packages/pkg-a-distgit.git,${'d'.repeat(40)},SUCCESS,1700000000,None,None,pkg-a-2.0-1.el9\n` +
        `python-fresh,https://github.com/openstack/python-fresh,${NEW.commit},https://github.com/rdo-packages/python-fresh-distgit.git,${'d'.repeat(40)},SUCCESS,1700000000,None,None,python-fresh-2.0-1.el9\n`,
    );
    expect(await readFile(join(dir, 'delorean.repo'), 'utf8')).toBe(
      `[delorean]\nname=delorean-python-fresh-${NEW.commit}\nbaseurl=https://trunk.example.org/centos9/${NEW_DIR}\nenabled=1\ngpgcheck=0\npriority=1\n`,
    );
    const yaml = await readFile(join(dir, 'commit.yaml'), 'utf8');
    expect(load(yaml, { schema: YAML11_SCHEMA })).toEqual({
      commits: [{ commit_hash: NEW.commit, extended_hash: 'None', flags: '0', id: '7', project_name: 'python-fresh' }],
    });
  });
});

describe('when include_srpm_in_repo is false', () => {
  it('keeps the source RPMs in the directory but out of the metadata', async () => {
    await publisher.publish(request({ includeSrpm: false }));
    const dir = join(reposDir, NEW_DIR);
    expect(await primaryPackages(dir)).toEqual([rpms.a, rpms.b, rpms.fresh].map((r) => `${r.nvr}.noarch.rpm`).sort());
    expect(await exists(join(dir, `${rpms.fresh.nvr}.src.rpm`))).toBe(true);
  });
});

describe('when publishing with --no-repo', () => {
  it('writes versions.csv and commit.yaml but no links, repodata or .repo file', async () => {
    await publisher.publish(request({ withRepodata: false }));
    const names = (await readdir(join(reposDir, NEW_DIR))).sort();
    expect(names).toEqual(
      ['commit.yaml', `${rpms.fresh.nvr}.noarch.rpm`, `${rpms.fresh.nvr}.src.rpm`, 'versions.csv'].sort(),
    );
  });
});

class CrashingPublisher extends FsRepoPublisher {
  protected override async beforeSwap(): Promise<void> {
    throw new Error('simulated crash');
  }
}

describe('when the process dies between staging and rename', () => {
  it('leaves no final directory, and publishing again completes it', async () => {
    await expect(new CrashingPublisher().publish(request())).rejects.toThrow('simulated crash');
    expect(await exists(join(reposDir, NEW_DIR))).toBe(false);
    await publisher.publish(request());
    const dir = join(reposDir, NEW_DIR);
    expect(await primaryPackages(dir)).toHaveLength(6);
    expect(await exists(join(reposDir, STAGING))).toBe(false);
  });
});

describe('when the final directory exists from an earlier interrupted publication', () => {
  it('replaces it whole and leaves nothing aside', async () => {
    await mkdir(join(reposDir, NEW_DIR, 'repodata'), { recursive: true });
    await publisher.publish(request());
    expect(await primaryPackages(join(reposDir, NEW_DIR))).toHaveLength(6);
    expect((await readdir(join(reposDir, 'ab', 'cd'))).sort()).toEqual([`${NEW.commit}_12345678`]);
  });
});

describe('when a linked artifact is missing on disk', () => {
  it('refuses before anything becomes visible, as createrepo_c would skip it silently', async () => {
    const linked = [...request().linkedArtifacts, `repos/${A_DIR}/gone-1.0-1.el9.noarch.rpm`];
    await expect(publisher.publish(request({ linkedArtifacts: linked }))).rejects.toMatchObject({
      code: 'REPO_PUBLISH_FAILED',
      message: expect.stringContaining('gone-1.0-1.el9.noarch.rpm'),
    });
    expect(await exists(join(reposDir, NEW_DIR))).toBe(false);
  });
});

describe('when a path would leave the repos directory', () => {
  it.each([
    ['repoDir', { repoDir: '../outside' }],
    ['repoDir', { repoDir: '/etc' }],
    ['artifact', { linkedArtifacts: ['repos/../../etc/passwd'] }],
    ['artifact', { linkedArtifacts: ['other/x.rpm'] }],
    ['stagingDir', { stagingDir: join(tmpdir(), 'elsewhere') }],
    ['repo file', { repoFile: { name: '../evil.repo', contents: '' } }],
    ['repo file', { repoFile: { name: '..', contents: '' } }],
  ] as const)('refuses the %s', async (what, overrides) => {
    await expect(publisher.publish(request(overrides))).rejects.toMatchObject({ code: 'REPO_PATH_OUTSIDE', what });
    expect(await exists(join(reposDir, NEW_DIR))).toBe(false);
  });

  it('refuses a pointer name or target with ..', async () => {
    await expect(publisher.movePointer(reposDir, '../current', A_DIR)).rejects.toMatchObject({ what: 'pointer name' });
    await expect(publisher.movePointer(reposDir, 'current', `${A_DIR}/../../../..`)).rejects.toMatchObject({
      code: 'REPO_PATH_OUTSIDE',
    });
    expect(await exists(join(reposDir, '..', 'current'))).toBe(false);
  });
});

describe('when pointers move', () => {
  it('makes relative links, reads them back, and leaves no <name>_ behind', async () => {
    expect(await publisher.readPointer(reposDir, 'current')).toBeNull();
    await publisher.movePointer(reposDir, 'current', A_DIR);
    await publisher.movePointer(reposDir, 'current', B_DIR);
    expect(await readlink(join(reposDir, 'current'))).toBe(B_DIR);
    expect(await publisher.readPointer(reposDir, 'current')).toBe(B_DIR);
    expect(await exists(join(reposDir, 'current_'))).toBe(false);
  });

  it('places component pointers in component/<c>/ with a link relative to that directory', async () => {
    const dir = 'component/tripleo/aa/aa/aaaa000000000000000000000000000000000000_11111111';
    await mkdir(join(reposDir, dir), { recursive: true });
    await publisher.movePointer(reposDir, 'component/tripleo/current', dir);
    expect(await readlink(join(reposDir, 'component/tripleo/current'))).toBe(
      'aa/aa/aaaa000000000000000000000000000000000000_11111111',
    );
    expect(await publisher.readPointer(reposDir, 'component/tripleo/current')).toBe(dir);
  });

  it('always resolves to a complete directory while it is moved back and forth', async () => {
    await publisher.movePointer(reposDir, 'current-passed-ci', A_DIR);
    let moving = true;
    let broken = 0;
    const reader = (async () => {
      while (moving) {
        const names = await readdir(join(reposDir, 'current-passed-ci')).catch(() => null);
        if (!names || names.length !== 2) broken += 1;
      }
    })();
    for (let i = 0; i < 300; i += 1) await publisher.movePointer(reposDir, 'current-passed-ci', i % 2 ? A_DIR : B_DIR);
    moving = false;
    await reader;
    expect(broken).toBe(0);
    expect(await publisher.readPointer(reposDir, 'current-passed-ci')).toBe(A_DIR);
    expect(await exists(join(reposDir, 'current-passed-ci_'))).toBe(false);
  });

  it('leaves a real `<name>_` alone when `<name>` moves', async () => {
    await publisher.movePointer(reposDir, 'current', A_DIR);
    await publisher.movePointer(reposDir, 'current_', B_DIR);
    await publisher.movePointer(reposDir, 'current', B_DIR);
    expect(await publisher.readPointer(reposDir, 'current_')).toBe(B_DIR);
  });

  it('lets two publishers (two processes) move one pointer at once without failing', async () => {
    const other = new FsRepoPublisher();
    const moves = Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? publisher : other).movePointer(reposDir, 'raced', i % 3 ? A_DIR : B_DIR),
    );
    const outcomes = await Promise.allSettled(moves);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect([A_DIR, B_DIR]).toContain(await publisher.readPointer(reposDir, 'raced'));
    expect((await readdir(reposDir)).filter((n) => n.includes('raced') && n !== 'raced')).toEqual([]);
  });

  it('moves a pointer whose name is 254 bytes long (the longest promotion name)', async () => {
    const name = 'é'.repeat(127);
    expect(Buffer.byteLength(name)).toBe(254);
    await publisher.movePointer(reposDir, name, A_DIR);
    await publisher.movePointer(reposDir, name, B_DIR);
    expect(await publisher.readPointer(reposDir, name)).toBe(B_DIR);
  });

  it('tells a free name, a link and an occupied name apart, and removes only links', async () => {
    await publisher.movePointer(reposDir, 'linked', A_DIR);
    expect(await publisher.pointerSlot(reposDir, 'linked')).toBe('link');
    expect(await publisher.pointerSlot(reposDir, 'free')).toBe('absent');
    expect(await publisher.pointerSlot(reposDir, A_DIR.split('/')[0]!)).toBe('occupied');
    await publisher.removePointer(reposDir, 'linked');
    await publisher.removePointer(reposDir, A_DIR.split('/')[0]!);
    expect(await publisher.pointerSlot(reposDir, 'linked')).toBe('absent');
    expect(await publisher.pointerSlot(reposDir, A_DIR.split('/')[0]!)).toBe('occupied');
  });

  it('refuses to point at a directory that does not exist', async () => {
    await expect(publisher.movePointer(reposDir, 'current', 'zz/zz/missing')).rejects.toThrow(/not a directory/);
    expect(await publisher.readPointer(reposDir, 'current')).toBeNull();
  });

  it('refuses to replace a real directory, and does not read it as a pointer', async () => {
    await mkdir(join(reposDir, 'consistent'));
    await expect(publisher.movePointer(reposDir, 'consistent', A_DIR)).rejects.toThrow(/not a symlink/);
    expect(await publisher.readPointer(reposDir, 'consistent')).toBeNull();
  });
});
