import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { fakeMockEnv, installFakeMock } from '../support/fake-mock.js';

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@x',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@x',
};

describe('dlrn --order', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-order-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds a package after the one it BuildRequires, not in commit-date order', async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const data = packages.find((p) => p.name === 'demo-data')!;
    const specFile = join(data.distgit, 'demo-data.spec');
    writeFileSync(
      specFile,
      readFileSync(specFile, 'utf8').replace('BuildArch:', 'BuildRequires:  broken-tool >= 2.0\nBuildArch:'),
    );
    execFileSync('git', ['commit', '-q', '-am', 'needs broken-tool'], { cwd: data.distgit, env: gitEnv });
    const configFile = await writeDemoConfig(root, packages);
    const run = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), '--order']);
    expect(run.code, run.stderr).toBe(0);
    const built = [...run.stdout.matchAll(/^\[\d\/3\] (\S+) /gm)].map((m) => m[1]);
    expect(built).toEqual(['python-greeting', 'broken-tool', 'demo-data']);
  }, 60_000);

  it('sees a dependency hidden behind a conditional macro, as rpmspec -P renders it, and rebuilds that package next run', async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'dlrn-order-macro-'));
    try {
      const packages = await createDemoRepositories(hidden, Math.floor(Date.now() / 1000) - 86_400);
      const greeting = packages.find((p) => p.name === 'python-greeting')!;
      const specFile = join(greeting.distgit, 'python-greeting.spec');
      // DLRN's line reader (and ours, without rpm) keeps the last %global: `nothing-provides-this`.
      writeFileSync(
        specFile,
        `%if 0%{?repo_bootstrap}\n%global needed broken\n%else\n%global needed nothing-provides\n%endif\n${readFileSync(
          specFile,
          'utf8',
        ).replace('BuildArch:', 'BuildRequires:  %{needed}-tool\nBuildArch:')}`,
      );
      execFileSync('git', ['commit', '-q', '-am', 'needs broken-tool, behind a macro'], {
        cwd: greeting.distgit,
        env: gitEnv,
      });
      const configFile = await writeDemoConfig(hidden, packages);
      const run = await runDlrn(['--config-file', configFile, '--info-repo', join(hidden, 'rdoinfo'), '--order']);
      expect(run.code, run.stderr).toBe(0);
      const built = [...run.stdout.matchAll(/^\[\d\/3\] (\S+) /gm)].map((m) => m[1]);
      expect(built.indexOf('broken-tool')).toBeLessThan(built.indexOf('python-greeting'));
      // As DLRN, the package built with repo_bootstrap is set to RETRY at the end of the full run.
      expect(run.stdout).toMatch(
        /^--order: repo_bootstrap: python-greeting: commit [0-9a-f]{40} \(SUCCESS\) will be built again on the next run$/m,
      );
      expect(run.stdout).not.toMatch(/repo_bootstrap: (broken-tool|demo-data)/);
      // The next full run builds it alone, and sets it to RETRY again (DLRN's loop).
      const rerun = await runDlrn(['--config-file', configFile, '--info-repo', join(hidden, 'rdoinfo'), '--order']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stdout).toMatch(/^\[1\/1\] python-greeting [0-9a-f]{7} SUCCESS/m);
      expect(rerun.stdout).toMatch(
        /^--order: repo_bootstrap: python-greeting: commit [0-9a-f]{40} \(SUCCESS\) will be built/m,
      );
      // The next run builds it again; naming a package, it resets nothing (DLRN's `not pkg_name`).
      const again = await runDlrn([
        '--config-file',
        configFile,
        '--info-repo',
        join(hidden, 'rdoinfo'),
        '--order',
        '--package-name',
        'python-greeting',
      ]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^\[1\/1\] python-greeting [0-9a-f]{7} SUCCESS/m);
      expect(again.stdout).not.toContain('repo_bootstrap:');
      const status = await runDlrn(['--config-file', configFile, '--info-repo', join(hidden, 'rdoinfo'), '--status']);
      expect(status.stdout).toMatch(/^\s+rpm python-greeting SUCCESS$/m);
      // A full run with nothing to build reads no spec: python-greeting, not built, is not reset.
      const idle = await runDlrn(['--config-file', configFile, '--info-repo', join(hidden, 'rdoinfo'), '--order']);
      expect(idle.code, idle.stderr).toBe(0);
      expect(idle.stdout).not.toMatch(/^\[\d\/\d\] /m);
      expect(idle.stdout).not.toContain('repo_bootstrap:');
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  }, 180_000);

  it('resets nothing after a --stop that a failure ended (DLRN exits before its reset)', async () => {
    const stopped = mkdtempSync(join(tmpdir(), 'dlrn-order-stop-'));
    try {
      const packages = await createDemoRepositories(stopped, Math.floor(Date.now() / 1000) - 86_400);
      // python-greeting builds only with repo_bootstrap defined, as --order defines it.
      commitSpec(packages, 'python-greeting', (spec) =>
        spec.replace('%build\n', '%build\n%{!?repo_bootstrap:exit 1}\n'),
      );
      // demo-data comes after python-greeting (it needs it) and fails.
      commitSpec(packages, 'demo-data', (spec) =>
        spec
          .replace('BuildArch:', 'BuildRequires:  python-greeting\nBuildArch:')
          .replace('%build\n', '%build\nexit 1\n'),
      );
      const configFile = await writeDemoConfig(stopped, packages);
      const args = ['--config-file', configFile, '--info-repo', join(stopped, 'rdoinfo'), '--order'];
      const run = await runDlrn([...args, '--stop']);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toMatch(/^\[\d\/3\] python-greeting [0-9a-f]{7} SUCCESS/m);
      expect(run.stdout).toMatch(/^\[\d\/3\] demo-data [0-9a-f]{7} FAILED/m);
      expect(run.stdout).not.toContain('repo_bootstrap:');
    } finally {
      rmSync(stopped, { recursive: true, force: true });
    }
  }, 120_000);

  it("runs a spec's shell macros to read its dependencies when builds run on this host (rpmbuild)", async () => {
    const shell = mkdtempSync(join(tmpdir(), 'dlrn-order-shell-'));
    try {
      const packages = await createDemoRepositories(shell, Math.floor(Date.now() / 1000) - 86_400);
      commitSpec(packages, 'python-greeting', (spec) =>
        spec.replace('BuildArch:', 'BuildRequires:  %(echo broken)-tool\nBuildArch:'),
      );
      const configFile = await writeDemoConfig(shell, packages);
      const run = await runDlrn(['--config-file', configFile, '--info-repo', join(shell, 'rdoinfo'), '--order']);
      expect(run.code, run.stderr).toBe(0);
      const built = [...run.stdout.matchAll(/^\[\d\/3\] (\S+) /gm)].map((m) => m[1]);
      expect(built.indexOf('broken-tool')).toBeLessThan(built.indexOf('python-greeting'));
      expect(run.stdout).not.toContain('--order: the spec of');
    } finally {
      rmSync(shell, { recursive: true, force: true });
    }
  }, 120_000);

  it('reads a spec as written when builds are sandboxed (mock), saying so: none of its shell code runs here', async () => {
    const sandboxed = mkdtempSync(join(tmpdir(), 'dlrn-order-mock-'));
    try {
      const packages = await createDemoRepositories(sandboxed, Math.floor(Date.now() / 1000) - 86_400);
      const marker = join(sandboxed, 'ran-on-the-builder');
      commitSpec(packages, 'python-greeting', (spec) =>
        spec.replace('BuildArch:', `BuildRequires:  %(touch ${marker}; echo broken)-tool\nBuildArch:`),
      );
      const configFile = await writeDemoConfig(sandboxed, packages, 'scriptsdir=./scripts\n');
      writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('build_driver=rpmbuild', 'build_driver=mock'));
      mkdirSync(join(sandboxed, 'scripts'));
      writeFileSync(
        join(sandboxed, 'scripts', 'centos9.cfg'),
        `config_opts['root'] = 'centos-stream-9-x86_64'\nconfig_opts['dnf.conf'] = """\n[main]\nkeepcache=1\n"""\n`,
      );
      const bin = join(sandboxed, 'bin');
      const record = join(sandboxed, 'mock-record');
      mkdirSync(bin);
      mkdirSync(record);
      installFakeMock(bin);
      const run = await runDlrn(
        [
          '--config-file',
          configFile,
          '--info-repo',
          join(sandboxed, 'rdoinfo'),
          '--order',
          '--package-name',
          'python-greeting',
        ],
        {
          env: fakeMockEnv(bin, record, 'ok'),
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(
        '--order: the spec of python-greeting: it runs shell or Lua code when expanded, and builds are sandboxed (mock): read as written',
      );
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(sandboxed, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Rewrites a demo package's dist-git spec and commits it. */
function commitSpec(packages: readonly DemoPackage[], name: string, change: (spec: string) => string): void {
  const pkg = packages.find((p) => p.name === name)!;
  const specFile = join(pkg.distgit, `${name}.spec`);
  writeFileSync(specFile, change(readFileSync(specFile, 'utf8')));
  execFileSync('git', ['commit', '-q', '-am', `change ${name}'s spec`], { cwd: pkg.distgit, env: gitEnv });
}
