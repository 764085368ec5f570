import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';
import { gitTestEnv } from '../support/git-fixtures.js';

/*
 * Issue 13, item 1, attacked through the `dlrn` CLI as an operator runs it: an upstream tags its
 * HEAD with a name rpm would expand into a shell command. The build of that commit must end
 * FAILED with a note naming the tag, and the command must not run, with either driver.
 */
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitTestEnv(), encoding: 'utf8' });

/** A mock that only records that it ran: the hostile build must be refused before it. */
const FAKE_MOCK = `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_MOCK_RECORD"
exit 1
`;

/** Every notes.log under the repositories, concatenated. */
function notes(root: string): string {
  const repos = join(root, 'data', 'repos');
  return readdirSync(repos, { recursive: true })
    .map(String)
    .filter((path) => path.endsWith('notes.log'))
    .map((path) => readFileSync(join(repos, path), 'utf8'))
    .join('');
}

describe.each(['rpmbuild', 'mock'])(
  'a build pass with the %s driver, on a commit tagged with a %(command)',
  (driver) => {
    // No `-` in the path: DLRN's version rules would cut the tag at the first one.
    const root = mkdtempSync(join(tmpdir(), 'dlrntage2e'));
    const marker = join(root, 'pwned');
    const record = join(root, 'mock-runs');
    const tag = `9.10%(echo\${IFS}pwned>>${marker}).dev1`;
    let run: CliRun;

    beforeAll(async () => {
      const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
      const greeting = packages.find((p) => p.name === 'python-greeting')!;
      writeFileSync(join(greeting.upstream, 'NEWS'), 'tagged\n');
      git(greeting.upstream, 'add', '-A');
      git(greeting.upstream, 'commit', '-q', '-m', 'release');
      git(greeting.upstream, 'tag', tag);
      const configFile = await writeDemoConfig(root, packages);
      const bin = join(root, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'mock'), FAKE_MOCK);
      chmodSync(join(bin, 'mock'), 0o755);
      mkdirSync(join(root, 'scripts'));
      writeFileSync(
        join(root, 'scripts', 'centos9.cfg'),
        `config_opts['root'] = 'c9'\nconfig_opts['dnf.conf'] = """\n"""\n`,
      );
      if (driver === 'mock') {
        const ini = readFileSync(configFile, 'utf8').replace('build_driver=rpmbuild', 'build_driver=mock');
        writeFileSync(configFile, ini);
      }
      run = await runDlrn(
        ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo'), '--package-name', 'python-greeting'],
        { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_MOCK_RECORD: record } },
      );
    }, 120_000);
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('fails the build, and notes.log names the tag and why', () => {
      expect(run.stdout).toMatch(/python-greeting [0-9a-f]{7} FAILED/);
      expect(run.code).toBe(1);
      expect(notes(root)).toBe(
        `Error in build_rpm_wrapper for python-greeting: upstream tag ${JSON.stringify(tag)} cannot be an RPM ` +
          'version: "%" is not allowed (letters, digits and . _ + ~ ^ - only)\n',
      );
    });

    it('runs nothing: the marker file does not exist and mock was never started', () => {
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(record)).toBe(false);
    });
  },
);
