import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfiguration, packagesAsJson } from '#infrastructure/config/index.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';

const seed = 'test/fixtures/config/seed-flock2017';
const KEYS = [
  'component',
  'distro-branch',
  'maintainers',
  'master-distgit',
  'name',
  'project',
  'source-branch',
  'upstream',
];
const checkSeed = (...extra: string[]) =>
  runDlrn(['config', 'check', '--config-file', `${seed}/projects.ini`, '--info-repo', seed, ...extra]);

describe('dlrn CLI', () => {
  it('prints its help and version', async () => {
    const help = await runDlrn(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('config');
    const version = await runDlrn(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  describe('habits', () => {
    it('a mistyped command is named, with the nearest one, exit 1', async () => {
      const run = await runDlrn(['serv']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("dlrn: error: unknown command 'serv' (did you mean 'serve'?)");
      expect(run.stderr).not.toContain('too many arguments');
    });

    it('dlrn help <command> shows that command, and --help the exit codes', async () => {
      const help = await runDlrn(['help', 'user', 'create']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: dlrn user create [options]');
      expect((await runDlrn(['help', 'nope'])).code).toBe(1);
      const all = await runDlrn(['--help']);
      expect(all.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*RETRY/);
    });

    it('takes --config-file before or after a subcommand', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dlrn-cli-habits-'));
      try {
        const ini = join(dir, 'projects.ini');
        writeFileSync(ini, 'baseurl=http://x/\nbuild_driver=rpmbuild\n');
        const after = await runDlrn([
          'user',
          'create',
          '--config-file',
          ini,
          '--username',
          'u1',
          '--password',
          'pw-12345',
        ]);
        expect(after.code, after.stderr).toBe(0);
        const before = await runDlrn([
          'user',
          '--config-file',
          ini,
          'create',
          '--username',
          'u2',
          '--password',
          'pw-12345',
        ]);
        expect(before.code, before.stderr).toBe(0);
        const group = await runDlrn(['projections', '--config-file', ini, 'status']);
        expect(group.code, group.stderr).toBe(0);
        expect(group.stdout).toMatch(/^event log head: 2$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('when checking the configuration of the FLOCK 2017 talk', () => {
    it('prints as JSON exactly what the configuration library resolves', async () => {
      const run = await checkSeed('--json');
      // The talk's INI builds with mock from scripts/fedora-rawhide.cfg, which it did not ship.
      expect(run.stderr).toBe(
        `dlrn: warning: ${seed}/projects.ini: the mock build driver needs the template ${process.cwd()}/${seed}/scripts/fedora-rawhide.cfg (configdir, target=fedora-rawhide), and it does not exist: every build would fail\n` +
          // It also sets templatedir, for DLRN's Jinja templates: said once, loaded all the same.
          `dlrn: note: ${seed}/projects.ini: templatedir=${process.cwd()}/${seed}/dlrn/templates: DLRN's Jinja templates are not used; the built-in pages and reports are\n`,
      );
      expect(run.code).toBe(0);
      const { config, packages } = await loadConfiguration({ configFile: `${seed}/projects.ini`, infoRepo: seed });
      const printed = JSON.parse(run.stdout) as Record<string, unknown>[];
      expect(printed).toEqual(packagesAsJson(packages, config));
      expect(printed.map((p) => Object.keys(p).sort())).toEqual(Array(2).fill(KEYS));
    });

    it('ends quietly when its reader goes away (`dlrn config check | head`)', async () => {
      const child = spawn(
        process.execPath,
        dlrnArgs(['config', 'check', '--config-file', `${seed}/projects.ini`, '--info-repo', seed]),
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(code).toBe(0);
    });

    it('prints a table without --json', async () => {
      const run = await checkSeed();
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/OK — 2 package\(s\)/);
      expect(run.stdout).toMatch(/^ansible\s+ansible\s+devel\s+rpm-devel/m);
    });
  });

  describe('when the mock template of the target is missing', () => {
    it('--use-public (mock, baseurl set) is accepted, and the pass refuses for the template', async () => {
      const run = await runDlrn(['--config-file', `${seed}/projects.ini`, '--info-repo', seed, '--use-public']);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toContain('--use-public');
      expect(run.stderr).toContain('scripts/fedora-rawhide.cfg (configdir, target=fedora-rawhide)');
    });

    it('a pass refuses to start, naming the file it looked for, before any build or mail', async () => {
      const run = await runDlrn(['--config-file', `${seed}/projects.ini`, '--info-repo', seed]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `scripts/fedora-rawhide.cfg (configdir, target=fedora-rawhide), and it does not exist`,
      );
      expect(run.stdout).not.toMatch(/\[\d+\/\d+\]/);
    });
  });

  describe('when the configuration is wrong', () => {
    it('refuses a mistyped key with the file, key, suggestion and line, exit 1', async () => {
      const run = await runDlrn([
        'config',
        'check',
        '--config-file',
        'test/fixtures/config/bad-ini/unknown-option.ini',
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /unknown-option\.ini: \[DEFAULT\] maxretry: unknown option \(did you mean 'maxretries'\?\) \(line \d+\)/,
      );
    });

    it('refuses a package without upstream naming the YAML file, key path and line', async () => {
      const run = await runDlrn([
        'config',
        'check',
        '--config-file',
        `${seed}/projects.ini`,
        '--info-repo',
        'test/fixtures/config/bad-yaml/no-upstream',
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/rdo\.yml: packages\[\d+\]\.upstream: missing 'upstream'.*\(line \d+\)/);
    });

    it('refuses a malformed --config-override instead of ignoring it', async () => {
      const run = await checkSeed('--config-override', 'not-a-rule');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/not-a-rule/);
    });

    it('applies a valid --config-override', async () => {
      const run = await checkSeed('--config-override', 'DEFAULT.source=stable/2024.1', '--json');
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { 'source-branch': string }[])[0]!['source-branch']).toBe('stable/2024.1');
    });

    it('names a missing file', async () => {
      const run = await runDlrn(['config', 'check', '--config-file', 'does-not-exist.ini']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('does-not-exist.ini');
    });
  });
});
