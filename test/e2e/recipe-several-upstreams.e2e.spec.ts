import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { builtRepos, commitAll, git, successes, write } from '../support/package-sources.fixtures.js';

/*
 * Issue 17, item 4, through the `dlrn` CLI with real git repositories and rpmbuild: a package
 * with two `upstream` URLs. DLRN's getinfo walks each: a clone per URL under
 * `<datadir>/<package>/<last part of the URL>`, every commit of each a candidate of the package.
 */
describe('a package with two upstream repositories', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrnupstreamse2e'));
  let greeting: DemoPackage;
  let next: string;
  let configFile: string;
  let first: CliRun;
  let second: CliRun;
  let afterFirst: string[];

  const binaries = () =>
    builtRepos(join(root, 'data'))
      .flatMap((r) => r.rpms)
      .filter((f) => f.startsWith('python-greeting-') && f.endsWith('.noarch.rpm'));

  beforeAll(async () => {
    greeting = (await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400))[0]!;
    // A second upstream of the same package, tagged 3.0.0, its commit newer than the first's.
    next = join(root, 'git', 'upstream', 'greeting-next');
    mkdirSync(next, { recursive: true });
    git(next, 'init', '-q', '-b', 'master');
    write(next, { 'greeting.py': 'print("hello, next")\n' });
    commitAll(next, 'The next greeting');
    git(next, 'tag', '3.0.0');
    configFile = await writeDemoConfig(root, [greeting!]);
    const rdo = join(root, 'rdoinfo', 'rdo.yml');
    writeFileSync(
      rdo,
      readFileSync(rdo, 'utf8').replace(
        `  upstream: file://${greeting!.upstream}\n`,
        `  upstream:\n  - file://${greeting!.upstream}\n  - file://${next}\n`,
      ),
    );
    const args = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    first = await runDlrn(args);
    afterFirst = binaries();
    // The second pass: a new commit in the first upstream only, while the last build came from the second.
    write(greeting!.upstream, { 'greeting.py': 'print("hello again")\n' });
    commitAll(greeting!.upstream, 'Greet again');
    second = await runDlrn(args);
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('clones each URL under <datadir>/<package>/<last part of the URL>', () => {
    expect(existsSync(join(root, 'data', 'python-greeting', 'greeting', '.git'))).toBe(true);
    expect(existsSync(join(root, 'data', 'python-greeting', 'greeting-next', '.git'))).toBe(true);
  });

  it('builds the HEAD of each upstream, each versioned by its own tags', () => {
    expect(first.stderr).toBe('');
    expect(successes(first)).toEqual(['python-greeting', 'python-greeting']);
    const versions = afterFirst.map((f) => /^python-greeting-([^-]+)-/.exec(f)![1]);
    expect(versions.sort()).toEqual(['1.0.0', '3.0.0']);
  });

  it('records each build with the clone its commit came from', () => {
    const yamls = builtRepos(join(root, 'data')).map((r) =>
      readFileSync(join(root, 'data', 'repos', r.dir, 'commit.yaml'), 'utf8'),
    );
    expect(yamls.some((y) => y.includes(`/python-greeting/greeting-next`))).toBe(true);
    expect(yamls.some((y) => /python-greeting\/greeting\n/.test(y) || y.includes('/python-greeting/greeting '))).toBe(
      true,
    );
  });

  it('builds a new commit of the first upstream, the last build having come from the second', () => {
    expect(second.stderr).toBe('');
    expect(second.stdout).not.toContain('was rewritten');
    expect(successes(second)).toEqual(['python-greeting']);
    const versions = binaries().map((f) => /^python-greeting-([^-]+)-/.exec(f)![1]);
    expect(versions.sort()).toEqual(['1.0.0', '1.0.1', '3.0.0']);
  });
});
