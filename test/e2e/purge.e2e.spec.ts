import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitDemoChange, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { datadirEvents } from '../support/datadir-events.js';
import { waitFor } from '../support/wait-for.js';

/** Names in a repository directory that are links, with whether their target still exists. */
function links(dir: string): Record<string, boolean> {
  const found: Record<string, boolean> = {};
  for (const name of readdirSync(dir)) {
    if (lstatSync(join(dir, name)).isSymbolicLink()) found[name] = existsSync(join(dir, name));
  }
  return found;
}

describe('dlrn purge when consistent points at a success that a newer build of its package replaced', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-purge-'));
  const repos = join(root, 'data', 'repos');
  let configFile: string;
  let consistent: string;
  let consistentLinks: Record<string, boolean>;
  let purge: Awaited<ReturnType<typeof runDlrn>>;
  const events = async (type: string) => (await datadirEvents(join(root, 'data'))).filter((e) => e.type === type);

  beforeAll(async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const [greeting, data, tool] = await createDemoRepositories(root, start);
    configFile = await writeDemoConfig(root, [greeting!, data!, tool!]);
    const pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    // Pass 1: greeting, data, tool succeed; consistent ends on tool's build, which links the
    // RPMs of greeting's and data's first builds.
    expect((await runDlrn(pass)).code).toBe(0);
    consistent = readlinkSync(join(repos, 'consistent'));
    // Pass 2: data breaks first, so the good builds of tool and greeting after it move current
    // only; both replace the builds consistent shows.
    await commitDemoChange(data!.upstream, 'Drop the colors (breaks the package)', start + 3600, () =>
      unlinkSync(join(data!.upstream, 'data', 'colors.txt')),
    );
    await commitDemoChange(tool!.upstream, 'Tool 2', start + 3700, () =>
      writeFile(join(tool!.upstream, 'tool.sh'), 'echo 2\n'),
    );
    await commitDemoChange(greeting!.upstream, 'Greet 2', start + 3800, () =>
      writeFile(join(greeting!.upstream, 'greeting.py'), 'print("hi")\n'),
    );
    expect((await runDlrn(pass)).code).toBe(1);
    expect(readlinkSync(join(repos, 'consistent'))).toBe(consistent);
    expect(readlinkSync(join(repos, 'current'))).not.toBe(consistent);
    consistentLinks = links(join(repos, consistent));
    // --older-than 0 takes builds before this second: wait until the last one is.
    const lastBuild = Math.max(...(await events('BuildStarted')).map((e) => (e.data as { dtBuild: number }).dtBuild));
    await waitFor(async () => (Math.floor(Date.now() / 1000) > lastBuild ? true : undefined));
    purge = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '-y']);
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('purges what no pointer needs: the failed build of the package that broke', async () => {
    expect(purge.code).toBe(0);
    const purged = await events('BuildPurged');
    expect(purged.map((e) => e.streamId.split('@')[0])).toEqual(['build-demo-data']);
    const { repoDir, directoryRemoved } = purged[0]!.data as { repoDir: string; directoryRemoved: boolean };
    expect(directoryRemoved).toBe(true);
    expect(existsSync(join(repos, repoDir))).toBe(false);
  });

  it('keeps the directory consistent points at, with its repodata', () => {
    expect(readlinkSync(join(repos, 'consistent'))).toBe(consistent);
    expect(existsSync(join(repos, consistent, 'repodata', 'repomd.xml'))).toBe(true);
  });

  it('keeps the RPMs of replaced builds that the consistent repository links', () => {
    // greeting's and data's first builds, binary and source RPMs
    expect(Object.keys(consistentLinks).map((name) => name.replace(/-[0-9].*\.rpm$/, ''))).toEqual([
      'demo-data',
      'demo-data',
      'python-greeting',
      'python-greeting',
    ]);
    expect(links(join(repos, consistent))).toEqual(consistentLinks);
    expect(Object.values(consistentLinks).every(Boolean)).toBe(true);
  });

  it('a purge that stopped after its record but before the removal is finished by the next run', async () => {
    const [purged] = await events('BuildPurged');
    const { repoDir } = purged!.data as { repoDir: string };
    // What a crash between the BuildPurged append and the removal leaves: the log says removed.
    mkdirSync(join(repos, repoDir), { recursive: true });
    writeFileSync(join(repos, repoDir, 'rpmbuild.log'), 'left behind\n');
    const again = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '-y']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`removed ${repoDir}: an earlier purge recorded it removed`);
    expect(existsSync(join(repos, repoDir))).toBe(false);
    expect(await events('BuildPurged')).toHaveLength(1);
    expect(readlinkSync(join(repos, 'consistent'))).toBe(consistent);
    expect(existsSync(join(repos, consistent, 'repodata', 'repomd.xml'))).toBe(true);
  });
});
