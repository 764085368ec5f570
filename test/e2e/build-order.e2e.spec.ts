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

  it('sees a dependency hidden behind a conditional macro, as rpmspec -P renders it', async () => {
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
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  }, 60_000);
});
