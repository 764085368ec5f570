import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDemoCommits,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { startLocalSshd, strangerKnownHostsLine, type LocalSshd } from '../support/local-sshd.js';

/** What DLRN hands a custom_preprocess hook; PWD and the like are the hook's shell's own. */
const HOOK_VARIABLES = [
  'DLRN_DISTGIT',
  'DLRN_DISTROINFO_REPO',
  'DLRN_PACKAGE_NAME',
  'DLRN_SOURCEDIR',
  'DLRN_SOURCE_COMMIT',
  'DLRN_USER',
  'LANG',
  'RELEASE_DATE',
  'RELEASE_MINOR',
  'RELEASE_NUMBERING',
];
const SHELL_VARIABLES = new Set(['PWD', 'SHLVL', 'OLDPWD', '_']);

function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('rsyncdest and custom_preprocess through the dlrn CLI, against a local sshd', () => {
  let root: string;
  let sshd: LocalSshd;
  let packages: DemoPackage[];
  let configFile: string;
  const start = Math.floor(Date.now() / 1000) - 86_400;
  const repos = () => join(root, 'data', 'repos');
  const mirror = () => join(root, 'mirror');
  const dlrn = (...args: string[]): Promise<CliRun> =>
    runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), ...args], {
      env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: 'builder', DLRN_TEST_SECRET: 'must-not-reach-hooks' },
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-rsync-'));
    sshd = await startLocalSshd(join(root, 'sshd'));
    packages = await createDemoRepositories(root, start);
    mkdirSync(mirror());
    writeFileSync(join(root, 'known_hosts'), `${sshd.knownHostsLine}\n`);
    writeFileSync(join(root, 'wrong_known_hosts'), `${strangerKnownHostsLine(join(root, 'sshd'), sshd.port)}\n`);
    const hooks = join(root, 'hooks');
    mkdirSync(hooks);
    // Edits the spec (a %global and a Provides using it) and dumps what it was given. No PATH
    // is given to hooks (as in DLRN): the shell's default path finds sed and grep.
    writeFileSync(
      join(hooks, 'mark-spec.sh'),
      [
        '#!/bin/sh',
        'set -e',
        `env > ${root}/hook-env-$DLRN_PACKAGE_NAME.txt`,
        'spec=$DLRN_PACKAGE_NAME.spec',
        'grep -q dlrn_hook_note "$spec" && exit 0',
        "sed -i -e '1i %global dlrn_hook_note preprocessed' -e '/^Name:/a Provides: dlrn-hook(%{dlrn_hook_note})' \"$spec\"",
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    writeFileSync(
      join(hooks, 'fail-demo-data.sh'),
      '#!/bin/sh\n[ "$DLRN_PACKAGE_NAME" = demo-data ] || exit 0\necho "cannot prepare demo-data" >&2\nexit 3\n',
      { mode: 0o755 },
    );
    // Two of the demo's packages (python-greeting, demo-data): each case needs one build.
    configFile = await writeDemoConfig(
      root,
      packages.slice(0, 2),
      [
        `rsyncdest=root@127.0.0.1:${mirror()}`,
        `rsyncport=${sshd.port}`,
        `rsync_known_hosts=${join(root, 'known_hosts')}`,
        `custom_preprocess=${join(hooks, 'mark-spec.sh')}`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when a pass builds three packages with a hook and a reachable mirror', () => {
    let run: CliRun;
    beforeAll(async () => {
      run = await dlrn();
    }, 240_000);

    it('builds both and copies each repository, current and consistent to the mirror', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.match(/^\[\d\/2\] .* SUCCESS/gm)).toHaveLength(2);
      const current = readlinkSync(join(repos(), 'current'));
      expect(readlinkSync(join(mirror(), 'current'))).toBe(current);
      expect(readlinkSync(join(mirror(), 'consistent'))).toBe(readlinkSync(join(repos(), 'consistent')));
      // The last build's own RPMs are files on the mirror, byte for byte; the others' are the
      // same relative links as here, which resolve there because their directories were copied.
      const own = readFileSync(join(repos(), current, 'versions.csv'), 'utf8');
      expect(readFileSync(join(mirror(), current, 'versions.csv'), 'utf8')).toBe(own);
      for (const file of ['delorean.repo', 'repodata/repomd.xml', 'commit.yaml', 'rpmbuild.log']) {
        expect(readFileSync(join(mirror(), current, file))).toEqual(readFileSync(join(repos(), current, file)));
      }
      const rpms = execFileSync('find', [join(repos(), current), '-name', '*.rpm'], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(rpms).toHaveLength(4);
      for (const local of rpms) {
        const copied = local.replace(repos(), mirror());
        expect(lstatSync(copied).isSymbolicLink()).toBe(lstatSync(local).isSymbolicLink());
        expect(readFileSync(copied)).toEqual(readFileSync(local)); // links followed on both sides
      }
    });

    it("has the hook's spec edit in the built RPM", () => {
      const current = join(repos(), readlinkSync(join(repos(), 'current')));
      const rpm = execFileSync('find', ['-L', current, '-name', 'python-greeting-*.noarch.rpm'], { encoding: 'utf8' })
        .trim()
        .split('\n')[0]!;
      const provides = execFileSync('rpm', ['-qp', '--nosignature', '--provides', rpm], { encoding: 'utf8' });
      expect(provides).toContain('dlrn-hook(preprocessed)');
    });

    it("gives the hook DLRN's variables and nothing of the builder's environment", () => {
      const env = envFile(join(root, 'hook-env-python-greeting.txt'));
      const given = Object.keys(env).filter((key) => !SHELL_VARIABLES.has(key));
      expect(given.sort()).toEqual(HOOK_VARIABLES);
      expect(env).toMatchObject({
        LANG: 'C',
        DLRN_PACKAGE_NAME: 'python-greeting',
        DLRN_DISTGIT: join(root, 'data', 'python-greeting_distro'),
        DLRN_SOURCEDIR: join(root, 'data', 'python-greeting'),
        DLRN_USER: 'builder',
        DLRN_DISTROINFO_REPO: `${join(root, 'rdoinfo')}/rdo.yml`,
        RELEASE_NUMBERING: '0.date.hash',
      });
      expect(env.DLRN_SOURCE_COMMIT).toMatch(/^[0-9a-f]{40}$/);
      expect(env.PWD).toBe(join(root, 'data', 'python-greeting_distro'));
    });
  });

  describe('when the mirror presents another host key and a hook fails for one package', () => {
    let run: CliRun;
    let before: { current: string; consistent: string };
    beforeAll(async () => {
      before = {
        current: readlinkSync(join(repos(), 'current')),
        consistent: readlinkSync(join(repos(), 'consistent')),
      };
      await addDemoCommits(packages, start);
      run = await dlrn(
        '--config-override',
        `DEFAULT.rsync_known_hosts=${join(root, 'wrong_known_hosts')}`,
        '--config-override',
        `DEFAULT.custom_preprocess=${join(root, 'hooks', 'mark-spec.sh')},${join(root, 'hooks', 'fail-demo-data.sh')}`,
      );
    }, 240_000);

    it('marks the build whose repository could not be pushed FAILED, naming the destination and why', () => {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        new RegExp(
          `python-greeting [0-9a-f]{7} FAILED .*: Failed to rsync content to root@127\\.0\\.0\\.1:${mirror()}: rsync exited with code \\d+`,
        ),
      );
      expect(run.stdout).toContain('Host key verification failed');
      const line = run.stdout.split('\n').find((l) => l.includes('python-greeting') && l.includes('FAILED'))!;
      const commit = /python-greeting ([0-9a-f]{7})/.exec(line)![1]!;
      const dir = execFileSync('find', [repos(), '-maxdepth', '3', '-name', `${commit}*`, '-type', 'd'], {
        encoding: 'utf8',
      }).trim();
      expect(readFileSync(join(dir, 'notes.log'), 'utf8')).toContain('Failed to rsync content to');
      expect(readFileSync(join(dir, 'commit.yaml'), 'utf8')).toMatch(/status: FAILED/);
      expect(existsSync(dir.replace(repos(), mirror()))).toBe(false);
    });

    it('fails the package whose hook failed, naming the hook and its exit code', () => {
      expect(run.stdout).toMatch(
        new RegExp(
          `demo-data [0-9a-f]{7} FAILED .*: Error in build_rpm_wrapper for demo-data: Custom pre-process failed: ${join(root, 'hooks', 'fail-demo-data.sh')} exited with code 3: cannot prepare demo-data`,
        ),
      );
    });

    it('moves neither current nor consistent, here or on the mirror', () => {
      expect(readlinkSync(join(repos(), 'current'))).toBe(before.current);
      expect(readlinkSync(join(repos(), 'consistent'))).toBe(before.consistent);
      expect(readlinkSync(join(mirror(), 'current'))).toBe(before.current);
    });
  });
});
