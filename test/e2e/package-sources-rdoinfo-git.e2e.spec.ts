import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { commitAll, git, successes } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 3, through the `dlrn` CLI with real git repositories and rpmbuild: rdoinfo cloned from a file:// git URL and refreshed between passes.
 */
describe('rdoinfo read from a git URL', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnrdoinfoe2e'));
  let packages: DemoPackage[];
  let firstPass: CliRun;
  let secondPass: CliRun;

  beforeAll(async () => {
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    const rdoinfo = join(root, 'rdoinfo');
    const full = readFileSync(join(rdoinfo, 'rdo.yml'), 'utf8');
    // The third package's entry is committed between the passes.
    const [head, third] = full.split(`- project: ${packages[2]!.project}\n`);
    git(rdoinfo, 'init', '-q', '-b', 'master');
    writeFileSync(join(rdoinfo, 'rdo.yml'), head!);
    commitAll(rdoinfo, 'Two packages');
    const ini = readFileSync(configFile, 'utf8').replace(
      '[rdoinfo_driver]\n',
      `[rdoinfo_driver]\nrepo=file://${rdoinfo}\n`,
    );
    writeFileSync(configFile, ini);
    firstPass = await runDlrn(['--config-file', configFile]);
    writeFileSync(join(rdoinfo, 'rdo.yml'), `${head!}- project: ${packages[2]!.project}\n${third!}`);
    commitAll(rdoinfo, 'A third package');
    secondPass = await runDlrn(['--config-file', configFile]);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('clones it into <datadir>/rdoinfo and builds its packages', () => {
    expect(firstPass.stderr).toBe('');
    expect(successes(firstPass)).toEqual([packages[0]!.name, packages[1]!.name].sort());
    expect(firstPass.code).toBe(0);
    expect(existsSync(join(root, 'data', 'rdoinfo', '.git'))).toBe(true);
  });

  it('fetches it on the next pass and builds the package added meanwhile', () => {
    expect(secondPass.stderr).toBe('');
    expect(successes(secondPass)).toEqual([packages[2]!.name]);
    expect(secondPass.code).toBe(0);
  });
});
