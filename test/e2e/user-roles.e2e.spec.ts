import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';

const basic = (user: string): string => `Basic ${Buffer.from(`${user}:pw-${user}`).toString('base64')}`;

/**
 * Per-user roles on a real `dlrn serve` with `protect_read_endpoints`: users made and changed by
 * `dlrn user`, each write tried with an empty JSON body (a user who may make it gets DLRN's 400
 * for the missing fields; one who may not gets 403 before the body is looked at).
 */
describe('user roles', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-roles-'));
  let configFile: string;
  let server: DlrnProcess;
  const user = (...args: string[]) => runDlrn(['user', '--config-file', configFile, ...args]);

  const post = async (who: string, path: string): Promise<{ status: number; body: string }> => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: basic(who), 'content-type': 'application/json' },
      body: '{}',
    });
    return { status: response.status, body: await response.text() };
  };
  const read = async (who: string): Promise<number> => {
    const response = await fetch(`${server.url}/api/health`, {
      headers: { authorization: basic(who) },
    });
    await response.arrayBuffer();
    return response.status;
  };
  /** The status of `path` for `who` once it is `expected` (the views follow `dlrn user` shortly). */
  const eventually = async (who: string, path: string, expected: number): Promise<number> => {
    let status = 0;
    for (let i = 0; i < 100 && status !== expected; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await post(who, path)).status;
    }
    return status;
  };

  beforeAll(async () => {
    configFile = await writeDemoConfig(root, []);
    appendFileSync(configFile, '\n[service]\nprotect_read_endpoints=true\n');
    const users: [string, string | null][] = [
      ['voter', 'vote'],
      ['reader', 'read'],
      ['boss', 'admin,vote'],
      ['anyone', null],
    ];
    for (const [name, roles] of users) {
      const made = await user(
        'create',
        '--username',
        name,
        '--password',
        `pw-${name}`,
        ...(roles === null ? [] : ['--roles', roles]),
      );
      expect(made.code, made.stderr).toBe(0);
    }
    server = await startDlrn(
      ['serve', '--config-file', configFile, '--no-builder', '--port', '0'],
      /api: listening on (http:\/\/[^/]+)\//,
    );
    for (let i = 0; (await read('anyone')) === 401; i++) {
      if (i > 100) throw new Error(`the users never reached the views:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when a user has no roles', () => {
    it('may do everything, as in DLRN', async () => {
      for (const path of ['/api/promote', '/api/report_result', '/api/recheck_package', '/api/remote/import']) {
        expect((await post('anyone', path)).status, path).not.toBe(403);
      }
    });
  });

  describe('when a user may only vote', () => {
    it('votes and reads, and is refused promotions, imports and rechecks with 403', async () => {
      expect((await post('voter', '/api/report_result')).status).toBe(400);
      expect(await read('voter')).toBe(200);
      const promote = await post('voter', '/api/promote');
      expect([promote.status, JSON.parse(promote.body)]).toEqual([
        403,
        { message: 'User voter does not have the promote role' },
      ]);
      expect((await post('voter', '/api/promote-batch')).status).toBe(403);
      expect((await post('voter', '/api/remote/import')).status).toBe(403);
      expect((await post('voter', '/api/recheck_package')).status).toBe(403);
    });

    it('is refused however the path is spelled', async () => {
      for (const path of ['/api/%70romote', '/api/promote/', '/api/promote?x=1', '//api/promote']) {
        expect([403, 404], path).toContain((await post('voter', path)).status);
      }
    });
  });

  describe('when a user may only read', () => {
    it('reads, and is refused every role-bound write', async () => {
      expect(await read('reader')).toBe(200);
      expect((await post('reader', '/api/report_result')).status).toBe(403);
      expect((await post('reader', '/api/last_tested_repo')).status).toBe(403);
    });
  });

  describe('when a user is admin', () => {
    it('may do everything', async () => {
      expect((await post('boss', '/api/promote')).status).not.toBe(403);
      expect((await post('boss', '/api/recheck_package')).status).not.toBe(403);
    });
  });

  describe('dlrn user set-roles', () => {
    it('changes what a user may do, and an empty list gives everything back', async () => {
      expect((await user('set-roles', '--username', 'anyone', '--roles', 'import')).code).toBe(0);
      expect(await eventually('anyone', '/api/promote', 403)).toBe(403);
      expect((await user('set-roles', '--username', 'anyone', '--roles', '')).code).toBe(0);
      expect(await eventually('anyone', '/api/promote', 400)).toBe(400);
    }, 90_000); // two `dlrn` processes: past 30 s on a loaded machine

    it('refuses an unknown role or user with exit code 255', async () => {
      const unknown = await user('set-roles', '--username', 'anyone', '--roles', 'read,root');
      expect([unknown.code, unknown.stderr]).toEqual([255, expect.stringMatching(/root/)]);
      expect((await user('set-roles', '--username', 'nobody', '--roles', 'read')).code).toBe(255);
    }, 90_000);
  });
});
