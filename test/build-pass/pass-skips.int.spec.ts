import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS, type PassOptions } from '#application/build-pass/build-loop.types.js';
import { createDemoRepositories, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';
import { INI, commitAll, git, write } from '../support/package-sources.fixtures.js';

interface Logged {
  readonly line: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The skips of a pass, in process (real git repositories; `--run true` builds nothing): a folder
 * the gitrepo package source refuses and a package whose upstream is gone are each logged with
 * the fields the daemons print as JSON, and `--package-name`/`--project-name` leave out the
 * refusals of the packages they do not name.
 */
describe("a pass's skips", () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-pass-skips-'));
  let packages: DemoPackage[];
  let configFile: string;

  beforeAll(async () => {
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const packaging = join(root, 'git', 'packaging');
    git(root, 'init', '-q', '-b', 'rpm-master', packaging);
    for (const pkg of packages.slice(0, 2)) {
      write(join(packaging, 'openstack', pkg.name), {
        [`${pkg.name}.spec`]: readFileSync(join(pkg.distgit, `${pkg.name}.spec`), 'utf8'),
        upstream: `file://${pkg.upstream}\n`,
      });
    }
    write(join(packaging, 'openstack', 'templated'), { 'templated.spec.j2': 'Name: {{ py2pkg("x") }}\n' });
    commitAll(packaging, 'Two packages and a template that renders no spec');
    renameSync(packages[1]!.upstream, `${packages[1]!.upstream}.gone`);
    configFile = join(root, 'projects.ini');
    writeFileSync(configFile, INI('gitrepo', `[gitrepo_driver]\nrepo=file://${packaging}\ndirectory=/openstack\n`));
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** One `--run true` pass with `options`; what it logged with `kind: 'skip'`. */
  async function skipsLogged(options: Partial<PassOptions>): Promise<Logged[]> {
    const { config, packages: infos, packageSource } = await loadConfiguration({ configFile });
    const store = await openEventStore(config.service.eventStoreTarget);
    const logged: Logged[] = [];
    const deps = createBuildLoopDeps({
      config,
      packages: infos,
      packageSource,
      store,
      log: (line, fields) => logged.push({ line, fields }),
    });
    try {
      await new BuildPass(deps).run({ ...DEFAULT_PASS_OPTIONS, run: 'true', ...options });
    } finally {
      await deps.close?.();
      await store.close();
    }
    return logged.filter((entry) => entry.fields?.['kind'] === 'skip');
  }

  it('logs the refused folder and the package whose upstream is gone, each with its name and reason', async () => {
    const skips = await skipsLogged({});
    expect(skips.map((s) => s.fields)).toEqual([
      { kind: 'skip', package: 'templated', reason: expect.stringMatching(/^openstack\/templated: /) },
      { kind: 'skip', package: packages[1]!.name, reason: expect.any(String) },
    ]);
    for (const { line, fields } of skips) expect(line).toBe(`skipping ${fields!['package']}: ${fields!['reason']}`);
  }, 60_000);

  it.each([
    ['--package-name', { packageNames: ['python-greeting'] }],
    ['--project-name', { projectNames: ['python-greeting'] }],
  ])(
    'with %s naming another package, leaves the refused folder out',
    async (_flag, options) => {
      expect(await skipsLogged(options)).toEqual([]);
    },
    60_000,
  );
});
