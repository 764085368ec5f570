import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { dlrnArgs, runDlrn, type CliRun } from '../support/cli.js';

/*
 * Issue 13 (low): a builder killed mid-build left its rpmbuild running and its temporary
 * directories behind. Here a real `dlrn builder` is SIGKILLed while rpmbuild runs a demo
 * package's %build (a `sleep` of 300 s), and a second builder is started afterwards.
 */

/** Pids of the live processes (not zombies) whose environment holds `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

const buildDirs = (dir: string) => readdirSync(dir).filter((name) => /^dlrn-(srpm|rpmbuild)-/.test(name));

describe('a builder killed with SIGKILL while rpmbuild runs %build', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-kill-tree-'));
  const tmp = join(root, 'tmp');
  const marker = `DLRN_E2E_TREE=${root}`;
  let args: string[];
  let treeBeforeKill: string[] = [];
  let survivors: string[] = [];
  let leftBehind: string[] = [];
  let restart: CliRun;

  beforeAll(async () => {
    mkdirSync(tmp);
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    args = ['builder', '--once', '--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    const builder = spawn(process.execPath, dlrnArgs(args), {
      env: { ...process.env, TMPDIR: tmp, DLRN_DEMO_BUILD_SECONDS: '300', DLRN_E2E_TREE: root },
      stdio: 'ignore',
    });
    const exited = new Promise((done) => builder.on('exit', done));
    const deadline = Date.now() + 90_000;
    const sleeping = () => processesWith(marker).some((pid) => commandOf(pid).startsWith('sleep 300'));
    while (Date.now() < deadline && !sleeping()) await sleep(100);
    const tree = processesWith(marker).filter((pid) => pid !== builder.pid);
    treeBeforeKill = tree.map(commandOf);

    builder.kill('SIGKILL');
    await exited;
    const gone = Date.now() + 5_000;
    while (Date.now() < gone && tree.some((pid) => processesWith(marker).includes(pid))) await sleep(100);
    const alive = processesWith(marker).filter((pid) => tree.includes(pid));
    survivors = alive.map(commandOf);
    for (const pid of alive) process.kill(pid, 'SIGKILL'); // never leave an orphan to the machine
    leftBehind = buildDirs(tmp);

    restart = await runDlrn(args, { env: { TMPDIR: tmp, DLRN_DEMO_BUILD_SECONDS: '0' } });
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('was killed mid-build: rpmbuild and the %build shell were running', () => {
    expect(treeBeforeKill.some((command) => command.startsWith('rpmbuild --rebuild'))).toBe(true);
    expect(treeBeforeKill).toContain('sleep 300');
  });

  it("kept rpm's script files inside the build's own directory, not in /var/tmp", () => {
    const script = treeBeforeKill.find((command) => /^\/bin\/sh -e .*rpm-tmp\./.test(command));
    expect(script).toMatch(new RegExp(`^/bin/sh -e ${tmp}/dlrn-rpmbuild-[^/]+/tmp/rpm-tmp\\.`));
  });

  it('leaves no process of the build running: rpmbuild and its %build die with the builder', () => {
    expect(survivors).toEqual([]);
  });

  it('left its temporary directories (nothing runs after SIGKILL), and the next builder sweeps them at start', () => {
    expect(leftBehind.length).toBeGreaterThanOrEqual(2);
    expect(restart.code).toBe(0);
    expect(buildDirs(tmp)).toEqual([]);
  });
});
