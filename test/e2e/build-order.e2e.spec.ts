import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';

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
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  }, 120_000);
});
