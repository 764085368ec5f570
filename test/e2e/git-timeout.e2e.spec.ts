import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn, type CliRun } from '../support/cli.js';

/**
 * `[service] git_timeout` (issue 15, item 6: "one unreachable remote costs its timeout, not the
 * pass"): a package whose upstream accepts the connection and never answers is given up after
 * the configured seconds, and the other packages of the pass are built.
 */
describe('a remote that never answers, with [service] git_timeout=3', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-git-timeout-'));
  const held: Socket[] = [];
  let server: Server;
  let run: CliRun;
  let seconds = 0;

  beforeAll(async () => {
    server = createServer((socket) => void held.push(socket));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const port = (server.address() as { port: number }).port;
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    appendFileSync(configFile, '\n[service]\ngit_timeout=3\n');
    appendFileSync(
      join(root, 'rdoinfo', 'rdo.yml'),
      `- project: silent\n  name: silent\n  upstream: http://127.0.0.1:${port}/silent.git\n  master-distgit: file://${packages[0]!.distgit}\n`,
    );
    const started = Date.now();
    run = await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')]);
    seconds = (Date.now() - started) / 1000;
  }, 300_000);

  afterAll(() => {
    for (const socket of held) socket.destroy();
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('held the connection open (the remote really was reached)', () => {
    expect(held.length).toBeGreaterThan(0);
  });

  it('skips that package, naming it, and builds the others', () => {
    expect(run.stdout).toMatch(/skipping silent: /);
    expect(run.stdout).toMatch(/demo-data [0-9a-f]+ SUCCESS/);
  });

  it('gave up on it after the timeout, not DLRN-like 3600 s', () => {
    // The pass builds three demo packages too; the bound only says the silent remote did not hold it.
    expect(seconds).toBeLessThan(240);
  });
});
