import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  commitDemoChange,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { fakeMockEnv, installFakeMock } from '../support/fake-mock.js';

describe('dlrn --order', () => {
  const builtOrder = (run: CliRun) => [...run.stdout.matchAll(/^\[\d\/3\] (\S+) /gm)].map((m) => m[1]);
  const RESET =
    /^--order: repo_bootstrap: python-greeting: commit [0-9a-f]{40} \(SUCCESS\) will be built again on the next run$/m;

  it('builds a package after the one it BuildRequires, not in commit-date order', async () => {
    await inDemoSite('dlrn-order-', async ({ packages, dlrn }) => {
      await commitSpec(packages, 'demo-data', (spec) =>
        spec.replace('BuildArch:', 'BuildRequires:  broken-tool >= 2.0\nBuildArch:'),
      );
      const run = await dlrn(['--order']);
      expect(run.code, run.stderr).toBe(0);
      expect(builtOrder(run)).toEqual(['python-greeting', 'broken-tool', 'demo-data']);
    });
  }, 60_000);

  it('sees a dependency hidden behind a conditional macro, as rpmspec -P renders it, and rebuilds that package next run', async () => {
    await inDemoSite('dlrn-order-macro-', async ({ packages, dlrn }) => {
      // DLRN's line reader (and ours, without rpm) keeps the last %global: `nothing-provides-this`.
      await commitSpec(
        packages,
        'python-greeting',
        (spec) =>
          `%if 0%{?repo_bootstrap}\n%global needed broken\n%else\n%global needed nothing-provides\n%endif\n${spec.replace(
            'BuildArch:',
            'BuildRequires:  %{needed}-tool\nBuildArch:',
          )}`,
      );
      const run = await dlrn(['--order']);
      expect(run.code, run.stderr).toBe(0);
      const built = builtOrder(run);
      expect(built.indexOf('broken-tool')).toBeLessThan(built.indexOf('python-greeting'));
      // As DLRN, the package built with repo_bootstrap is set to RETRY at the end of the full run.
      expect(run.stdout).toMatch(RESET);
      expect(run.stdout).not.toMatch(/repo_bootstrap: (broken-tool|demo-data)/);
      // The next full run builds it alone, and sets it to RETRY again (DLRN's loop).
      const rerun = await dlrn(['--order']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stdout).toMatch(/^\[1\/1\] python-greeting [0-9a-f]{7} SUCCESS/m);
      expect(rerun.stdout).toMatch(RESET);
      // The next run builds it again; naming a package, it resets nothing (DLRN's `not pkg_name`).
      const again = await dlrn(['--order', '--package-name', 'python-greeting']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^\[1\/1\] python-greeting [0-9a-f]{7} SUCCESS/m);
      expect(again.stdout).not.toContain('repo_bootstrap:');
      const status = await dlrn(['--status']);
      expect(status.stdout).toMatch(/^\s+rpm python-greeting SUCCESS$/m);
      // A full run with nothing to build reads no spec: python-greeting, not built, is not reset.
      const idle = await dlrn(['--order']);
      expect(idle.code, idle.stderr).toBe(0);
      expect(idle.stdout).not.toMatch(/^\[\d\/\d\] /m);
      expect(idle.stdout).not.toContain('repo_bootstrap:');
    });
  }, 180_000);

  it('resets nothing after a --stop that a failure ended (DLRN exits before its reset)', async () => {
    await inDemoSite('dlrn-order-stop-', async ({ packages, dlrn }) => {
      // python-greeting builds only with repo_bootstrap defined, as --order defines it.
      await commitSpec(packages, 'python-greeting', (spec) =>
        spec.replace('%build\n', '%build\n%{!?repo_bootstrap:exit 1}\n'),
      );
      // demo-data comes after python-greeting (it needs it) and fails.
      await commitSpec(packages, 'demo-data', (spec) =>
        spec
          .replace('BuildArch:', 'BuildRequires:  python-greeting\nBuildArch:')
          .replace('%build\n', '%build\nexit 1\n'),
      );
      const run = await dlrn(['--order', '--stop']);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toMatch(/^\[\d\/3\] python-greeting [0-9a-f]{7} SUCCESS/m);
      expect(run.stdout).toMatch(/^\[\d\/3\] demo-data [0-9a-f]{7} FAILED/m);
      expect(run.stdout).not.toContain('repo_bootstrap:');
    });
  }, 120_000);

  it("runs a spec's shell macros to read its dependencies when builds run on this host (rpmbuild)", async () => {
    await inDemoSite('dlrn-order-shell-', async ({ packages, dlrn }) => {
      await commitSpec(packages, 'python-greeting', (spec) =>
        spec.replace('BuildArch:', 'BuildRequires:  %(echo broken)-tool\nBuildArch:'),
      );
      const run = await dlrn(['--order']);
      expect(run.code, run.stderr).toBe(0);
      const built = builtOrder(run);
      expect(built.indexOf('broken-tool')).toBeLessThan(built.indexOf('python-greeting'));
      expect(run.stdout).not.toContain('--order: the spec of');
    });
  }, 120_000);

  it('reads a spec as written when builds are sandboxed (mock), saying so: none of its shell code runs here', async () => {
    await inDemoSite(
      'dlrn-order-mock-',
      async ({ root, packages, configFile, dlrn }) => {
        const marker = join(root, 'ran-on-the-builder');
        await commitSpec(packages, 'python-greeting', (spec) =>
          spec.replace('BuildArch:', `BuildRequires:  %(touch ${marker}; echo broken)-tool\nBuildArch:`),
        );
        writeFileSync(
          configFile,
          readFileSync(configFile, 'utf8').replace('build_driver=rpmbuild', 'build_driver=mock'),
        );
        mkdirSync(join(root, 'scripts'));
        writeFileSync(
          join(root, 'scripts', 'centos9.cfg'),
          `config_opts['root'] = 'centos-stream-9-x86_64'\nconfig_opts['dnf.conf'] = """\n[main]\nkeepcache=1\n"""\n`,
        );
        const bin = join(root, 'bin');
        const record = join(root, 'mock-record');
        mkdirSync(bin);
        mkdirSync(record);
        installFakeMock(bin);
        // One package: the fake mock gives every build the same RPM name.
        const run = await dlrn(['--order', '--package-name', 'python-greeting'], fakeMockEnv(bin, record, 'ok'));
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain(
          '--order: the spec of python-greeting: it runs shell or Lua code when expanded, and builds are sandboxed (mock): read as written',
        );
        expect(existsSync(marker)).toBe(false);
      },
      'scriptsdir=./scripts\n',
    );
  }, 120_000);
});

/** Rewrites a demo package's dist-git spec and commits it. */
async function commitSpec(packages: readonly DemoPackage[], name: string, change: (spec: string) => string) {
  const pkg = packages.find((p) => p.name === name)!;
  const specFile = join(pkg.distgit, `${name}.spec`);
  await commitDemoChange(pkg.distgit, `change ${name}'s spec`, Math.floor(Date.now() / 1000), () =>
    writeFileSync(specFile, change(readFileSync(specFile, 'utf8'))),
  );
}

/** A demo site in a directory of its own, removed after `work`: its packages, projects.ini and `dlrn` there. */
async function inDemoSite(
  prefix: string,
  work: (site: {
    root: string;
    packages: DemoPackage[];
    configFile: string;
    dlrn: (args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<CliRun>;
  }) => Promise<void>,
  extraDefaults = '',
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  try {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages, extraDefaults);
    const dlrn = (args: readonly string[], env?: NodeJS.ProcessEnv) =>
      runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), ...args], env ? { env } : {});
    await work({ root, packages, configFile, dlrn });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
