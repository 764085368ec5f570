import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { builtRepos, commitAll, git, successes, write } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 4, through the `dlrn` CLI with real git repositories and rpmbuild: rdoinfo's
 * `version-from`. DLRN merges that ref into the upstream clone (`git merge -s ours`) before
 * build_srpm.sh, so its tags count for `git describe`. Expected versions follow build_srpm.sh:
 * the nearest tag, its .Z bumped when commits follow it.
 */
describe('a package whose version comes from another branch’s tags (version-from)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnversionfrome2e'));
  let packages: DemoPackage[];
  let run: CliRun;
  let mergeLog: string;

  beforeAll(async () => {
    packages = (await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400)).slice(0, 2);
    // Both upstreams: master is tag + one commit; a `stable` branch from there carries 7.0.0.
    for (const pkg of packages) {
      write(pkg.upstream, { NEWS: 'after the tag\n' });
      commitAll(pkg.upstream, 'After the tag');
      git(pkg.upstream, 'checkout', '-q', '-b', 'stable');
      write(pkg.upstream, { STABLE: 'stable\n' });
      commitAll(pkg.upstream, 'Stable series');
      git(pkg.upstream, 'tag', '7.0.0');
      git(pkg.upstream, 'checkout', '-q', 'master');
    }
    const configFile = await writeDemoConfig(root, packages);
    const rdo = join(root, 'rdoinfo', 'rdo.yml');
    const [greeting] = packages;
    writeFileSync(
      rdo,
      readFileSync(rdo, 'utf8').replace(
        `  name: ${greeting!.name}\n`,
        `  name: ${greeting!.name}\n  version-from: origin/stable\n`,
      ),
    );
    run = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
    // a build's directory also links the other packages' RPMs: find it by its commit
    const commit = git(greeting!.upstream, 'rev-parse', 'master');
    const repo = builtRepos(join(root, 'data')).find((r) => r.dir.split('/')[2]!.startsWith(`${commit}_`));
    mergeLog = repo ? readFileSync(join(root, 'data', 'repos', repo.dir, 'rpmbuild.log'), 'utf8') : '';
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const binaryOf = (name: string) =>
    builtRepos(join(root, 'data'))
      .flatMap((r) => r.rpms)
      .find((f) => f.startsWith(`${name}-`) && f.endsWith('.noarch.rpm'));

  it('takes the version from the tags of the version-from ref', () => {
    expect(run.stderr).toBe('');
    expect(successes(run)).toEqual(packages.map((p) => p.name).sort());
    // 7.0.0 is nearer than 1.0.0 once stable is merged; the fake merge follows it: 7.0.1
    expect(binaryOf(packages[0]!.name)).toMatch(/^python-greeting-7\.0\.1-0\.\d{14}\.[0-9a-f]{7}\.el9\.noarch\.rpm$/);
    expect(mergeLog).toContain('Taking tags to define version from origin/stable');
  });

  it('leaves the package without version-from on its own tags (0.3, then a commit: 0.4)', () => {
    expect(binaryOf(packages[1]!.name)).toMatch(/^demo-data-0\.4-0\.\d{14}\.[0-9a-f]{7}\.el9\.noarch\.rpm$/);
  });

  it('builds the commit itself: the release names the master commit, not the merge', () => {
    const head = git(packages[0]!.upstream, 'rev-parse', '--short=7', 'master');
    expect(binaryOf(packages[0]!.name)).toContain(`.${head}.el9`);
    expect(git(join(root, 'data', packages[0]!.name), 'rev-parse', 'HEAD')).toBe(
      git(packages[0]!.upstream, 'rev-parse', 'master'),
    );
  });
});
