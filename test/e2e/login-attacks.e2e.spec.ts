import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { schemaVersionOf } from '#domain/catalogue.js';
import type { EventPayload } from '#domain/shared/event.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { userStreamId } from '#domain/user/user.events.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { runDlrn } from '../support/cli.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';

/** passlib's default for DLRN's users (656,000 rounds), as `dlrn import-db` keeps them. */
const IMPORTED = {
  username: 'legacy',
  password: 'dlrn-password',
  hash: '$6$rounds=656000$Ab3Cd4Ef5Gh6Ij7K$8G3JnVloOqZRRpMrER/RNG2VoeL8qCkR2v62g3pW/u4mQYJzIAxklJ1zlclr/xHOSQhthqW5sCqe38OrEFi76.',
};

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface LoginLine {
  readonly event: 'login';
  readonly user: string | null;
  readonly success: boolean;
  readonly client: string;
  readonly verified?: boolean;
}

/**
 * Logins attacked over HTTP on a real `dlrn serve` (API and projector in one process) behind a
 * trusted reverse proxy (127.0.0.1): each test speaks for its own clients through
 * `X-Forwarded-For`, as a proxy would.
 */
describe('logins under attack, behind a trusted proxy', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-logins-'));
  let server: DlrnProcess;

  const login = async (client: string, authorization: string): Promise<number> => {
    const response = await fetch(`${server.url}/api/health`, {
      method: 'POST',
      headers: { authorization, 'x-forwarded-for': client },
    });
    await response.arrayBuffer();
    return response.status;
  };

  /** The login lines logged so far (the head of a line cut short by the capture is skipped). */
  const loginLines = (): LoginLine[] =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}') && line.includes('"event":"login"'))
      .map((line) => JSON.parse(line) as LoginLine);

  /** The first login line of `client`: the log reaches this process after the answer may have. */
  const loginLineOf = async (client: string): Promise<LoginLine> => {
    for (let i = 0; i < 100; i++) {
      const line = loginLines().find((l) => l.client === client);
      if (line !== undefined) return line;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no login line for ${client}`);
  };

  beforeAll(async () => {
    const configFile = await writeDemoConfig(root, []);
    appendFileSync(configFile, '\n[service]\ntrusted_proxies=127.0.0.1, ::1\n');
    const created = await runDlrn([
      'user',
      '--config-file',
      configFile,
      'create',
      '--username',
      'ci',
      '--password',
      's3cret',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const second = await runDlrn([
      'user',
      '--config-file',
      configFile,
      'create',
      '--username',
      'ci2',
      '--password',
      'pw2',
    ]);
    expect(second.code, second.stderr).toBe(0);
    const events = await openEventStore(loadProjectsIni(configFile).service.eventStoreTarget);
    const imported: EventPayload = {
      type: 'UserCreated',
      data: { username: IMPORTED.username, passwordHash: IMPORTED.hash },
    };
    await events.append(
      userStreamId(IMPORTED.username),
      stampEvents(
        [imported],
        { correlationId: 'import-db', causationId: null, actor: 'test' },
        {
          ids: new UuidV7IdGenerator(),
          clock: new SystemClock(),
          schemaVersion: schemaVersionOf,
        },
      ),
    );
    await events.close();
    server = await startDlrn(
      ['serve', '--config-file', configFile, '--no-builder', '--port', '0'],
      /api: listening on (http:\/\/[^/]+)\//,
    );
    // The projector runs beside the API: wait until it has folded the users.
    for (let i = 0; (await login('198.51.100.1', basic('ci', 's3cret'))) !== 200; i++) {
      if (i > 100) throw new Error(`the users never reached the views:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when one client fails again and again', () => {
    it('limits that client, and another client still logs in with the right password', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await login('203.0.113.7', basic('ci', `guess-${i}`)));
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      // The failing client is refused even with the right password: it is the one guessing.
      expect(await login('203.0.113.7', basic('ci', 's3cret'))).toBe(429);
      expect(await login('203.0.113.8', basic('ci', 's3cret'))).toBe(200);
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      // Spoofed by the proxy's own client: the proxy appends the real peer, which is what counts.
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        statuses.push(await login(`192.0.2.${i + 1}, 203.0.113.9`, basic('ci', `spoof-${i}`)));
      }
      expect(statuses.at(-1)).toBe(429);
    });
  });

  describe('when a CI client sends many requests at once with the right password', () => {
    it('accepts them all, the first ones (checked together) as the later ones (remembered)', async () => {
      const client = '203.0.113.50';
      const first = await Promise.all(Array.from({ length: 40 }, () => login(client, basic('ci2', 'pw2'))));
      expect(first.filter((s) => s !== 200)).toEqual([]);
      const again = await Promise.all(Array.from({ length: 40 }, () => login(client, basic('ci2', 'pw2'))));
      expect(again.filter((s) => s !== 200)).toEqual([]);
    });
  });

  describe('when a wrong password follows a correct one for the same user', () => {
    it('refuses it: a remembered success vouches only for the very same password', async () => {
      const client = '203.0.113.60';
      expect(await login(client, basic('ci2', 'pw2'))).toBe(200);
      for (const wrong of ['pw', 'pw2 ', 'pw22', 'PW2', ''])
        expect(await login(client, basic('ci2', wrong)), JSON.stringify(wrong)).toBe(401);
      // The other user's right password is not this user's.
      expect(await login(client, basic('ci2', 's3cret'))).toBe(401);
      expect(await login(client, basic('ci2', 'pw2'))).toBe(200);
    });
  });

  describe('when one client sends a burst of 100 parallel guesses', () => {
    it('checks at most the limit, and refuses the right password once the limit is reached', async () => {
      const client = '203.0.113.20';
      let firstRefusal!: () => void;
      const refused = new Promise<void>((resolve) => (firstRefusal = resolve));
      const burst = Array.from({ length: 100 }, (_, i) =>
        login(client, basic('ci', `burst-${i}`)).then((status) => {
          if (status === 429) firstRefusal();
          return status;
        }),
      );
      // Sent while the burst is still being answered, once the server has said the limit is reached.
      const right = refused.then(() => login(client, basic('ci', 's3cret')));
      const statuses = await Promise.all(burst);
      expect(statuses.filter((s) => s !== 429 && s !== 401)).toEqual([]);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
      expect(await right).toBe(429);
      await loginLineOf(client);
      for (let i = 0; i < 100 && loginLines().filter((l) => l.client === client).length < 101; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lines = loginLines().filter((l) => l.client === client);
      expect(lines).toHaveLength(101);
      const checked = lines.filter((l) => l.verified);
      expect(checked.length).toBeLessThanOrEqual(10);
      expect(await login('203.0.113.21', basic('ci', 's3cret'))).toBe(200);
    });
  });

  describe('when the user does not exist', () => {
    it('verifies the password against a hash all the same, as for a known user', async () => {
      expect(await login('203.0.113.30', basic('nobody-here', 'guess'))).toBe(401);
      expect(await login('203.0.113.31', basic('ci', 'guess'))).toBe(401);
      const unknown = await loginLineOf('203.0.113.30');
      const known = await loginLineOf('203.0.113.31');
      expect(known).toMatchObject({ user: 'ci', success: false, verified: true });
      expect(unknown).toMatchObject({ user: 'nobody-here', success: false, verified: true });
    });
  });

  describe('when an imported DLRN user ($6$) logs in', () => {
    it('refuses an over-long password without hashing it', async () => {
      expect(await login('203.0.113.40', basic(IMPORTED.username, 'x'.repeat(1000)))).toBe(401);
      expect(await loginLineOf('203.0.113.40')).toMatchObject({ verified: false });
    });

    it('rehashes the password to scrypt at the first successful login, through the event log', async () => {
      expect(await login('203.0.113.41', basic(IMPORTED.username, IMPORTED.password))).toBe(200);
      const config = loadProjectsIni(join(root, 'projects.ini'));
      const events = await openEventStore(config.service.eventStoreTarget);
      try {
        let stream = await events.readStream(userStreamId(IMPORTED.username));
        for (let i = 0; stream.length < 2 && i < 100; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          stream = await events.readStream(userStreamId(IMPORTED.username));
        }
        expect(stream.map((e) => e.type)).toEqual(['UserCreated', 'UserPasswordRehashed']);
        expect(stream[1]!.data).toMatchObject({ username: IMPORTED.username, from: 'sha512_crypt' });
        expect((stream[1]!.data as { passwordHash: string }).passwordHash).toMatch(/^\$scrypt\$/);
      } finally {
        await events.close();
      }
      expect(await login('203.0.113.42', basic(IMPORTED.username, IMPORTED.password))).toBe(200);
      expect(await login('203.0.113.42', basic(IMPORTED.username, 'wrong'))).toBe(401);
    });
  });

  describe('dlrn user', () => {
    it('refuses a password the API would refuse unhashed (over 256 bytes)', async () => {
      const create = await runDlrn([
        'user',
        '--config-file',
        join(root, 'projects.ini'),
        'create',
        '--username',
        'long-secret',
        '--password',
        'é'.repeat(129),
      ]);
      expect([create.code, create.stderr]).toEqual([255, 'dlrn user: the password must be at most 256 bytes\n']);
    });
  });

  describe('when 10,000 clients fail with 12 KB user names', () => {
    const NAME_LENGTH = 12_000;
    /** Sends `count` failed logins, 32 at a time, each from its own client with its own name. */
    const flood = async (from: number, count: number): Promise<number[]> => {
      const statuses: number[] = [];
      let next = from;
      const worker = async (): Promise<void> => {
        while (next < from + count) {
          const n = next++;
          const name = `${'u'.repeat(NAME_LENGTH - 8)}${String(n).padStart(8, '0')}`;
          statuses.push(await login(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, basic(name, 'x')));
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      return statuses;
    };

    it('keeps memory and the log bounded: < 48 MB more RSS, < 512 log bytes per attempt', async () => {
      // A warm-up grows the heap to its working size first; what follows must not add to it.
      await flood(0, 2_000);
      const rssBefore = server.rssBytes();
      const logBefore = server.outputBytes();
      const statuses = await flood(2_000, 10_000);
      expect(new Set(statuses)).toEqual(new Set([401]));
      const grown = server.rssBytes() - rssBefore;
      const logged = server.outputBytes() - logBefore;
      console.info(
        `10,000 failed logins with 12 KB names: RSS +${(grown / 2 ** 20).toFixed(1)} MB, log +${logged} bytes`,
      );
      expect(grown, `RSS grew ${(grown / 2 ** 20).toFixed(1)} MB`).toBeLessThan(48 * 2 ** 20);
      expect(logged, `the log grew ${(logged / 2 ** 20).toFixed(1)} MB`).toBeLessThan(10_000 * 512);
      // The name is logged, cut short.
      expect(loginLines().at(-1)!.user).toMatch(/^u{64}…\(\+11936\)$/);
      expect(await login('198.51.100.2', basic('ci', 's3cret'))).toBe(200);
    }, 300_000);
  });
});
