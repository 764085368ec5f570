import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { waitFor } from '../support/wait-for.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';
import { canMountTmpfs, fillDisk, mountTmpfs, remountTmpfs } from '../support/tmpfs.js';

const LISTENING = /api: listening on (http:\/\/[^/]+)\//;
const auth = { authorization: `Basic ${Buffer.from('ci:pw').toString('base64')}` };

/** The demo's three packages built once (real RPMs), with a user `ci`; `datadir` (a tmpfs) holds its data. */
async function builtDemo(root: string, datadir: string): Promise<{ configFile: string; datadir: string }> {
  const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
  const configFile = await writeDemoConfig(root, packages);
  await appendFile(configFile, '[service]\nprotect_read_endpoints=false\n');
  const pass = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
  expect(pass.code, pass.stderr).toBe(0);
  const user = await runDlrn(['user', '--config-file', configFile, 'create', '--username', 'ci', '--password', 'pw']);
  expect(user.code, user.stderr).toBe(0);
  return { configFile, datadir };
}

describe.skipIf(!canMountTmpfs)('storage faults (a real tmpfs: needs root to mount)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-storage-'));
  let demo: Awaited<ReturnType<typeof builtDemo>>;
  let unmount = (): void => {};

  beforeAll(async () => {
    const datadir = join(root, 'data');
    unmount = mountTmpfs(datadir, 48);
    demo = await builtDemo(root, datadir);
  }, 120_000);
  afterAll(() => {
    unmount();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when the disk holding the datadir fills up under dlrn serve', () => {
    it('keeps answering reads, answers writes 507 naming the store, stays up, and records again once space returns', async () => {
      const serve = await startDlrn(
        ['serve', '--no-builder', '--config-file', demo.configFile, '--port', '0'],
        LISTENING,
      );
      const filler = join(demo.datadir, 'filler');
      try {
        const repo = await waitFor(async () => {
          const response = await fetch(`${serve.url}/api/last_tested_repo?max_age=0`);
          return response.status === 200
            ? ((await response.json()) as { commit_hash: string; distro_hash: string })
            : undefined;
        });
        const vote = (jobId: string) =>
          fetch(`${serve.url}/api/report_result`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              commit_hash: repo.commit_hash,
              distro_hash: repo.distro_hash,
              job_id: jobId,
              url: 'https://ci/1',
              timestamp: Math.floor(Date.now() / 1000),
              success: true,
            }),
          });
        fillDisk(filler);
        const refused = await vote('while-full');
        const body = (await refused.json()) as { message: string };
        expect(refused.status).toBe(507);
        expect(body.message).toMatch(/event log is full; nothing was recorded/);
        expect(body.message).not.toContain(root);
        expect((await fetch(`${serve.url}/api/last_tested_repo?max_age=0`)).status).toBe(200);
        // Past a lease renewal of the projector (every 10 s): the process is still there.
        await sleep(11_000);
        expect(serve.child.exitCode).toBeNull();
        expect((await fetch(`${serve.url}/api/health`)).status).toBe(200);

        rmSync(filler);
        const recorded = await vote('after-space');
        expect(recorded.status).toBe(201);
        const status = (await (
          await fetch(`${serve.url}/api/repo_status?commit_hash=${repo.commit_hash}&distro_hash=${repo.distro_hash}`)
        ).json()) as { job_id: string }[];
        expect(status.map((v) => v.job_id)).toContain('after-space');
        expect(status.map((v) => v.job_id)).not.toContain('while-full');
      } finally {
        rmSync(filler, { force: true });
        await serve.stop();
      }
    }, 90_000);
  });

  describe('when the datadir is read-only', () => {
    it('refuses to start naming the event log file, and answers nothing half-open', async () => {
      remountTmpfs(demo.datadir, 'ro');
      try {
        // The WAL files are gone after a clean stop, so SQLite cannot open the log for writing.
        const run = await runDlrn(['api', '--config-file', demo.configFile, '--port', '0']);
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain(`cannot open the event log ${join(demo.datadir, 'events.sqlite')}`);
      } finally {
        remountTmpfs(demo.datadir, 'rw');
      }
    }, 60_000);
  });

  describe('when two projectors run on one host beside dlrn serve', () => {
    it('the second stands by without harming serve, and takes over when serve dies', async () => {
      const serve = await startDlrn(
        ['serve', '--no-builder', '--config-file', demo.configFile, '--port', '0'],
        LISTENING,
      );
      let projector: DlrnProcess | undefined;
      try {
        projector = await startDlrn(['projector', '--config-file', demo.configFile], /standing by/);
        await sleep(6_000); // a standby retry, and a lease renewal on serve's side
        expect(serve.child.exitCode).toBeNull();
        expect(projector.child.exitCode).toBeNull();
        expect((await fetch(`${serve.url}/api/health`)).status).toBe(200);
        serve.child.kill('SIGKILL');
        await waitFor(async () => (/took over the projections/.test(projector!.output()) ? true : undefined), 20_000);
        // New facts are projected by the survivor: a recheck-free way to add events is a user.
        const user = await runDlrn([
          'user',
          '--config-file',
          demo.configFile,
          'create',
          '--username',
          'late',
          '--password',
          'pw',
        ]);
        expect(user.code, user.stderr).toBe(0);
        await waitFor(async () => {
          const status = await runDlrn(['projections', 'status', '--config-file', demo.configFile]);
          return /users\s+v\d+\s+at \d+, 0 behind/.test(status.stdout) ? true : undefined;
        }, 30_000);
      } finally {
        serve.child.kill('SIGKILL');
        await projector?.stop();
      }
    }, 90_000);
  });
});
