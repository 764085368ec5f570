import { describe, expect, it } from 'vitest';
import { renderCommitYaml } from '#infrastructure/repo/commit-yaml.js';
import { fileUrl, parseCommitYaml, parseRepoUrl } from './remote-commit.js';

const C = 'ebfb108bf1a19d70aec6c52cdd1952c0e86593fa';
const D = '642db7af784690c3f17d85ff85b0424001c97b82';
const DIR = `eb/fb/${C}_642db7af`;

/** A row as our build loop (and DLRN) writes it into commit.yaml. */
function row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: null,
    type: 'rpm',
    dt_commit: 1576575518,
    dt_distro: 1489056308,
    dt_extended: null,
    dt_build: 1578665875,
    project_name: 'puppet-apache',
    repo_dir: '/worker/data/puppet-apache',
    distgit_dir: '/worker/data/puppet-apache_distro',
    commit_hash: C,
    distro_hash: D,
    extended_hash: null,
    commit_branch: 'master',
    status: 'SUCCESS',
    component: null,
    artifacts: [`repos/${DIR}/puppet-apache-1.0-1.el9.src.rpm`, `repos/${DIR}/puppet-apache-1.0-1.el9.noarch.rpm`],
    notes: 'OK',
    flags: 0,
    versions_csv: null,
    ...overrides,
  };
}

const parseRow = (overrides: Record<string, unknown> = {}) => parseCommitYaml(renderCommitYaml(row(overrides)));

describe('when commit.yaml holds a successful build written by DLRN', () => {
  it('reads every column back with its type, and computes the hashed directory itself', () => {
    expect(parseRow()).toEqual([
      {
        index: 0,
        packageName: 'puppet-apache',
        commitHash: C,
        distroHash: D,
        extendedHash: null,
        dtCommit: 1576575518,
        dtDistro: 1489056308,
        dtExtended: null,
        dtBuild: 1578665875,
        commitBranch: 'master',
        component: null,
        status: 'SUCCESS',
        artifacts: [`repos/${DIR}/puppet-apache-1.0-1.el9.src.rpm`, `repos/${DIR}/puppet-apache-1.0-1.el9.noarch.rpm`],
        notes: 'OK',
        versionsCsv: null,
        repoDir: DIR,
      },
    ]);
  });

  it('places a build with a component and an extended hash where DLRN does', () => {
    const ext = `${'a'.repeat(40)}_${'b'.repeat(40)}`;
    const dir = `component/tripleo/eb/fb/${C}_642db7af_aaaaaaaa_bbbbbbbb`;
    const [commit] = parseRow({ component: 'tripleo', extended_hash: ext, artifacts: `repos/${dir}/x-1-1.noarch.rpm` });
    expect(commit!.repoDir).toBe(dir);
    expect(commit!.extendedHash).toBe(ext);
  });

  it('accepts unquoted numbers and a failed build without artifacts', () => {
    const text = `commits:\n- project_name: foo\n  commit_hash: ${C}\n  distro_hash: ${D}\n  dt_commit: 10\n  dt_distro: 20\n  dt_build: 30.5\n  status: FAILED\n  artifacts: None\n  notes: 'Error in build_rpm_wrapper for foo: boom'\n`;
    const [commit] = parseCommitYaml(text);
    expect(commit).toMatchObject({ dtCommit: 10, dtDistro: 20, dtBuild: 30, status: 'FAILED', artifacts: [] });
    expect(commit!.notes).toBe('Error in build_rpm_wrapper for foo: boom');
  });
});

describe('when a field is missing or of the wrong type', () => {
  it.each([
    [{ project_name: null }, 'commits[0].project_name: missing'],
    [{ commit_hash: 'None' }, 'commits[0].commit_hash: missing'],
    [{ dt_commit: 'yesterday' }, 'commits[0].dt_commit: expected epoch seconds, got a string of 9 characters'],
    [{ dt_build: -5 }, 'commits[0].dt_build: expected epoch seconds, got a string of 2 characters'],
    [{ dt_distro: '99999999999999' }, 'commits[0].dt_distro: expected epoch seconds'],
    [{ status: 'BUILDING' }, 'commits[0].status: expected SUCCESS, FAILED or RETRY'],
    [{ type: 'container' }, 'commits[0].type: only rpm builds can be imported'],
    [{ artifacts: null }, 'commits[0].artifacts: a successful build lists no RPM'],
  ])('names the commit and the field (%j)', (overrides, message) => {
    expect(() => parseRow(overrides)).toThrow(message);
  });

  it('refuses a value of another YAML type', () => {
    const text = `commits:\n- project_name: [a, b]\n`;
    expect(() => parseCommitYaml(text)).toThrow('commits[0].project_name: expected a string, got a list of 2 items');
  });

  it('names the index of the bad commit in a list', () => {
    const text = renderCommitYaml(row()).replace(/^commits:\n/, '');
    const second = renderCommitYaml(row({ distro_hash: 'zz' })).replace(/^commits:\n/, '');
    expect(() => parseCommitYaml(`commits:\n${text}${second}`)).toThrow(
      'commits[1].distro_hash: not a hex commit hash',
    );
  });
});

describe('when the file tries to reach outside the repository', () => {
  it.each([
    ['../../etc', 'not a package name'],
    ['foo/bar', 'not a package name'],
    ['.hidden', 'not a package name'],
  ])('refuses the package name %s', (name, message) => {
    expect(() => parseRow({ project_name: name })).toThrow(`commits[0].project_name: ${message}`);
  });

  it.each([
    '../../etc/passwd',
    `repos/${DIR}/../../../../etc/passwd.rpm`,
    `repos/${DIR}/sub/x.rpm`,
    `repos/${DIR}/..rpm`,
  ])('refuses the artifact %s', (artifact) => {
    expect(() => parseRow({ artifacts: artifact })).toThrow(/commits\[0\]\.artifacts\[0\]: /);
  });

  it('refuses an artifact of another build directory', () => {
    expect(() => parseRow({ artifacts: `repos/aa/bb/${'a'.repeat(40)}_642db7af/x-1-1.noarch.rpm` })).toThrow(
      'commits[0].artifacts[0]: not under repos/<the hashed directory of the commit>/',
    );
  });

  it('refuses hashes that are not hex (or dev)', () => {
    expect(() => parseRow({ commit_hash: '../x' })).toThrow('commits[0].commit_hash: not a hex commit hash');
    expect(parseRow({ commit_hash: 'dev', artifacts: `repos/de/v/dev_642db7af/x-1-1.noarch.rpm` })[0]!.repoDir).toBe(
      'de/v/dev_642db7af',
    );
  });

  it('refuses a component that is a path', () => {
    expect(() => parseRow({ component: '../x' })).toThrow('commits[0].component: not a component name');
  });

  it('refuses the same RPM listed twice', () => {
    const a = `repos/${DIR}/x-1-1.noarch.rpm`;
    expect(() => parseRow({ artifacts: `${a},${a}` })).toThrow(
      'commits[0].artifacts[1]: the same file as artifacts[0]',
    );
  });
});

describe('when the file holds something else (a page of another host)', () => {
  const secret = 'SECRET-token-9f8e';
  it.each([
    `${secret}\n`,
    `commits:\n- project_name: ${secret}\n`,
    `commits:\n- project_name: x\n  dt_commit: ${secret}\n  commit_hash: abcdef0\n  distro_hash: abcdef0\n`,
    `commits: [${secret}`,
    `a: !<tag:${secret}> 1\n`,
  ])('refuses %j without repeating any of it', (text) => {
    const error = (() => {
      try {
        parseCommitYaml(text);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error?.message).toMatch(/^commit\.yaml: /);
    expect(error?.message).not.toContain('SECRET');
  });
});

describe('when the document itself is wrong', () => {
  it.each([
    ['commits: [ {', 'commit.yaml: file: not valid YAML (line 1, column 13)'],
    ['- a\n- b\n', "commit.yaml: file: expected a mapping with a 'commits' list"],
    ['commits: {}\n', 'commit.yaml: commits: expected a list'],
    ['commits: []\n', 'commit.yaml: commits: empty'],
    ['commits:\n- 42\n', 'commit.yaml: commits[0]: expected a mapping, got a number'],
    ['commits: !!js/function "() => 1"\n', 'commit.yaml: file: not valid YAML'],
    ['a: 1\na: 2\n', 'commit.yaml: file: not valid YAML'],
  ])('refuses %j', (text, message) => {
    expect(() => parseCommitYaml(text)).toThrow(message);
  });

  it('refuses absurd sizes', () => {
    expect(() => parseCommitYaml(`notes: '${'x'.repeat(1024 * 1024)}'`)).toThrow('larger than 1048576 bytes');
    const many = `commits:\n${'- {}\n'.repeat(101)}`;
    expect(() => parseCommitYaml(many)).toThrow('commit.yaml: commits: more than 100');
    const artifacts = Array.from({ length: 1001 }, (_, i) => `repos/${DIR}/x${i}-1-1.noarch.rpm`).join(',');
    expect(() => parseRow({ artifacts })).toThrow('commits[0].artifacts: more than 1000 artifacts');
  });
});

describe('when the repository URL is checked', () => {
  it('keeps http and https URLs, without trailing slashes', () => {
    expect(parseRepoUrl('https://worker.example.org/repos/eb/fb/x_y/').href).toBe(
      'https://worker.example.org/repos/eb/fb/x_y',
    );
    expect(fileUrl(parseRepoUrl('http://w:8080/r/'), 'commit.yaml').href).toBe('http://w:8080/r/commit.yaml');
  });

  it.each([
    ['', 'an http or https URL is required'],
    ['worker/repos', 'not a URL'],
    ['file:///etc', 'only http and https are allowed'],
    ['ftp://w/r', 'only http and https are allowed'],
    ['http://user:secret@w/r', 'credentials in the URL are not accepted'],
    ['http://w/r?x=1', 'no query or fragment allowed'],
  ])('refuses %j', (url, message) => {
    expect(() => parseRepoUrl(url)).toThrow(message);
  });
});
