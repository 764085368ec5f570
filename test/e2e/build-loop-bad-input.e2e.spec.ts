import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.org',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.org',
};
function repoWith(dir: string, branch: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', branch], { cwd: dir, env: gitEnv });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  execFileSync('git', ['add', '-A'], { cwd: dir, env: gitEnv });
  execFileSync('git', ['commit', '-q', '-m', 'import'], { cwd: dir, env: gitEnv });
  return dir;
}

describe('bad input in a build pass', () => {
  // The root's parent is the test's own too: "nothing written beside the root" must not depend on
  // what other runs leave in /tmp (a stray /tmp/data failed this test once).
  const parent = mkdtempSync(join(tmpdir(), 'dlrn-bad-parent-'));
  const root = mkdtempSync(join(parent, 'dlrn-bad-'));
  const canary = join(root, 'pwned');
  let run: CliRun;

  beforeAll(async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    const upstream = repoWith(join(root, 'git', 'upstream', 'nospec'), 'master', { README: 'x\n' });
    const noName = repoWith(join(root, 'git', 'distgit', 'noname'), 'rpm-master', {
      'x.spec': 'Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n',
    });
    const noSource = repoWith(join(root, 'git', 'distgit', 'nosource'), 'rpm-master', {
      'nosource.spec':
        'Name: nosource\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\nSource0: nosource.tar.gz\nSource1: missing-file.conf\n%description\nd\n%prep\n%setup -q\n%install\ninstall -D -m 0644 %{SOURCE1} %{buildroot}/etc/x.conf\n%files\n/etc/x.conf\n',
    });
    const extra = [
      ['unreachable', 'file:///nonexistent/upstream', `file://${noName}`],
      ['spec-without-name', `file://${upstream}`, `file://${noName}`],
      ['nosource', `file://${upstream}`, `file://${noSource}`],
    ];
    appendFileSync(
      join(root, 'rdoinfo', 'rdo.yml'),
      extra
        .map(
          ([name, up, dist]) => `- project: ${name}\n  name: ${name}\n  upstream: ${up}\n  master-distgit: ${dist}\n`,
        )
        .join(''),
    );
    run = await runDlrn([
      '--config-file',
      configFile,
      '--info-repo',
      join(root, 'rdoinfo'),
      '--build-env',
      `DEMO=$(touch ${canary})`,
    ]);
  }, 120_000);
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('skips a package whose repository cannot be cloned, lists it in skiplist.txt, and goes on', () => {
    expect(readFileSync(join(root, 'data', 'repos', 'skiplist.txt'), 'utf8')).toBe('unreachable\n');
    expect(run.stdout).toMatch(/skipping unreachable: .*nonexistent/);
    expect(run.stdout.match(/ SUCCESS /g)).toHaveLength(3);
  });

  it('fails a package whose spec has no Name, with a clear note, and only that package', () => {
    expect(run.stdout).toMatch(/spec-without-name [0-9a-f]{7} FAILED.*Name/);
  });

  it('fails a package whose Source is missing, with the file named', () => {
    expect(run.stdout).toMatch(/nosource [0-9a-f]{7} FAILED/);
    const logs = readdirSync(join(root, 'data', 'repos'), { recursive: true })
      .map(String)
      .filter((p) => p.endsWith('notes.log'));
    const notes = logs.map((p) => readFileSync(join(root, 'data', 'repos', p), 'utf8')).join('\n');
    expect(notes + run.stdout).toMatch(/missing-file\.conf|nosource/);
  });

  it('exits 1 for the failed builds and never runs a shell on command-line values', () => {
    expect(run.code).toBe(1);
    expect(existsSync(canary)).toBe(false);
  });

  it('wrote nothing outside datadir', () => {
    expect(readdirSync(root).sort()).toEqual(
      ['.dlrn-demo', 'data', 'git', 'projects.ini', 'rdoinfo'].filter((f) => existsSync(join(root, f))).sort(),
    );
    expect(readdirSync(parent)).toEqual([basename(root)]);
  });
});

describe('a package name that is not a plain directory name', () => {
  it('is refused before anything is written, naming the package', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dlrn-bad-name-'));
    try {
      const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
      const configFile = await writeDemoConfig(root, packages);
      appendFileSync(
        join(root, 'rdoinfo', 'rdo.yml'),
        `- project: evil\n  name: ../evil\n  upstream: file://${packages[0]!.upstream}\n  master-distgit: file://${packages[0]!.distgit}\n`,
      );
      const run = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
      expect(`${run.stdout}${run.stderr}`).toMatch(/\.\.\/evil/);
      expect(existsSync(join(root, 'evil'))).toBe(false);
      expect(existsSync(join(root, 'evil_distro'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
