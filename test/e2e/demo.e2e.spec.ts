import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitDemoChange, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { dlrnArgs, runDlrn } from '../support/cli.js';
import { startDlrn } from '../support/dlrn-process.js';

/** The messages of a process's log (stderr, JSON lines when not on a terminal), one a line, `level msg`. */
function logMessages(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as { level: number; msg: string };
      return `${record.level === 20 ? 'debug: ' : ''}${record.msg}`;
    })
    .join('\n');
}

describe('dlrn demo (the quick start): every pass leaves its pages', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-demo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("shows broken-tool's first failure after its success as a commit, never ??????", async () => {
    const dir = join(root, 'demo');
    const demo = await runDlrn(['demo', '--dir', dir]);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/consistent -> /);
    // No projector ran: each pass brought the views up to date and wrote DLRN's four reports.
    for (const file of ['status_report.html', 'status_report.csv', 'report.html', 'queue.html']) {
      expect(existsSync(join(dir, 'data', 'repos', file)), file).toBe(true);
    }
    const csv = readFileSync(join(dir, 'data', 'repos', 'status_report.csv'), 'utf8');
    expect(csv.split('\n').filter((line) => line.startsWith('broken-tool,'))[0]).toContain(',FAILED,');
    const page = readFileSync(join(dir, 'data', 'repos', 'status_report.html'), 'utf8');
    const row = page.slice(page.indexOf('broken-tool'), page.indexOf('</tr>', page.indexOf('broken-tool')));
    expect(row).toContain('FAILED');
    expect(row).not.toContain('??????');
    expect(row).toMatch(/[0-9a-f]{7,40}/);
  }, 120_000);

  it('--log-commands logs every program run, --debug also every append, on stderr', async () => {
    const dir = join(root, 'traced');
    const packages = await createDemoRepositories(dir, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(dir, packages);
    const pass = ['--config-file', configFile, '--info-repo', join(dir, 'rdoinfo'), '--package-name', 'demo-data'];
    const logged = await runDlrn([...pass, '--log-commands']);
    expect(logged.code, logged.stderr).toBe(0);
    expect(logMessages(logged.stderr)).toMatch(/^\+ git .*clone .*demo-data/m);
    expect(logMessages(logged.stderr)).toMatch(/^\+ rpmbuild /m);
    expect(logMessages(logged.stderr)).toMatch(/^\+ createrepo_c /m);
    expect(logMessages(logged.stderr)).not.toContain('appended');
    // Nothing new since: the pass says so, having fetched, and asked no merge-base whether the
    // last built commit is still an ancestor of HEAD: it is HEAD.
    const idle = await runDlrn([...pass, '--log-commands']);
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stdout).toContain('nothing to build: no new commit in the selected packages');
    expect(logMessages(idle.stderr)).toMatch(/^\+ git .*fetch --prune origin/m);
    expect(logMessages(idle.stderr)).not.toContain('merge-base');
    expect(idle.stdout).not.toMatch(/^\d\d:\d\d:\d\d /m);
    // On a terminal (script(1) gives the pass one), each progress line starts with the time.
    const quoted = [process.execPath, ...dlrnArgs(pass)].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
    const onTerminal = spawnSync('script', ['-qec', quoted, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    expect(onTerminal.status, onTerminal.stderr).toBe(0);
    expect(onTerminal.stdout).toMatch(/^\d\d:\d\d:\d\d nothing to build: no new commit in the selected packages\r?$/m);
    await commitDemoChange(packages[1]!.upstream, 'More colors', Math.floor(Date.now() / 1000) - 3600, () =>
      writeFile(join(packages[1]!.upstream, 'data', 'colors.txt'), 'red\ngreen\nblue\ncyan\n'),
    );
    const debug = await runDlrn([...pass, '--debug']);
    expect(debug.code, debug.stderr).toBe(0);
    expect(logMessages(debug.stderr)).toMatch(
      /^debug: appended CommitDiscovered, BuildClaimed, BuildStarted to build-demo-data@\S+ at position \d+$/m,
    );
    expect(logMessages(debug.stderr)).toMatch(/^debug: appended BuildSucceeded, RepoPublished to build-demo-data@/m);
    expect(logMessages(debug.stderr)).toMatch(/^\+ rpmbuild /m);
  }, 120_000);

  it('with a projector running elsewhere, a pass waits for it and its reports show the pass', async () => {
    const dir = join(root, 'with-projector');
    const packages = await createDemoRepositories(dir, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(dir, packages);
    const projector = await startDlrn(['projector', '--config-file', configFile], /projection users: version \d+/);
    try {
      const pass = await runDlrn(['--config-file', configFile, '--info-repo', join(dir, 'rdoinfo')]);
      expect(pass.code, pass.stderr).toBe(0);
      expect(pass.stderr).not.toMatch(/still behind|not brought up to date/);
      // Read at once: the pass ended only once the views (the other process's) had its builds.
      const csv = readFileSync(join(dir, 'data', 'repos', 'status_report.csv'), 'utf8');
      for (const name of ['broken-tool', 'demo-data', 'python-greeting'])
        expect(csv).toMatch(new RegExp(`^${name},.*,SUCCESS,`, 'm'));
    } finally {
      await projector.stop();
    }
  }, 120_000);
});
