import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../apps/api/src/api.app.js';
import { EventStreamSlots } from '../../apps/api/src/history/event-stream-slots.js';
import { writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadProjectsIni, type DlrnConfig } from '#infrastructure/config/index.js';
import { LiveHistory } from '#application/queries/history/index.js';
import { createUser } from '../support/cli.js';
import { testEvent } from '../support/events.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';
import { writeSyntheticLog } from '../support/synthetic-log.js';
import { waitFor } from '../support/wait-for.js';

/** Resolves once `condition` holds (polled), throws after `timeoutMs`. */
const until = (condition: () => boolean, timeoutMs: number) =>
  waitFor(async () => (condition() ? true : undefined), timeoutMs);

const basic = (user: string): string => `Basic ${Buffer.from(`${user}:pw-${user}`).toString('base64')}`;

interface Answered {
  readonly position: number;
  readonly stream: string;
  readonly type: string;
  readonly event_id: string;
  readonly data: Record<string, unknown>;
}

/**
 * One Server-Sent Events connection read message by message, over node:http: closing it
 * destroys its socket and nothing else (fetch's pool opens a spare connection when a request is
 * aborted, which would hold the server's shutdown until it times out).
 */
class SseClient {
  private buffer = '';
  private ended = false;
  private wake: (() => void) | undefined;
  private request: ClientRequest | undefined;

  static open(url: string, headers: Record<string, string> = {}): Promise<{ client: SseClient; status: number }> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      const request = get(url, { headers, agent: false }, (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          client.buffer += chunk;
          client.wake?.();
        });
        const end = (): void => {
          client.ended = true;
          client.wake?.();
        };
        response.on('end', end);
        response.on('close', end);
        resolve({ client, status: response.statusCode ?? 0 });
      });
      request.on('error', (error) => {
        client.ended = true;
        client.wake?.();
        reject(error);
      });
      client.request = request;
    });
  }

  private async more(): Promise<void> {
    if (this.ended) throw new Error('stream ended');
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
  }

  /** The next `count` events (comments are skipped). */
  async events(count: number): Promise<{ id: number; type: string; data: Answered }[]> {
    const out: { id: number; type: string; data: Answered }[] = [];
    while (out.length < count) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) {
        await this.more().catch(() => {
          throw new Error(`stream ended after ${out.length} of ${count} events`);
        });
        continue;
      }
      const message = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (message.startsWith(':')) continue;
      const fields = Object.fromEntries(
        message.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      out.push({ id: Number(fields.id), type: fields.event!, data: JSON.parse(fields.data!) as Answered });
    }
    return out;
  }

  /** Reads until a comment other than the greeting arrives. */
  async comment(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) {
        await this.more();
        continue;
      }
      const message = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (message.startsWith(':') && message !== ': dlrn event stream') return message;
    }
  }

  /** Drops the connection, as a client going away does. */
  close(): void {
    this.request?.destroy();
  }
}

/**
 * The history API over a real SQLite log (a synthetic build history, users made by `dlrn user`),
 * the views projected by the real engine, and the API listening on a port.
 */
describe('history: /api/events and /api/events/stream', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-history-'));
  let app: NestFastifyApplication;
  let base: string;
  let events: EventStore;
  let api: LiveApi;
  let config: DlrnConfig;

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as never };
  };
  /** Every page from `path`, following the Link header. */
  const allPages = async (path: string, headers: Record<string, string> = {}) => {
    const out: Answered[] = [];
    const texts: string[] = [];
    let next: string | null = path;
    for (let pages = 0; next !== null; pages++) {
      if (pages > 1000) throw new Error('too many pages');
      const page = await get(next, headers);
      expect(page.status, page.text).toBe(200);
      texts.push(page.text);
      const body = page.json() as { events: Answered[]; next_after: number | null };
      out.push(...body.events);
      const link = page.headers.get('link');
      next = link === null ? null : /^<([^>]+)>; rel="next"$/.exec(link)![1]!;
      expect(body.next_after === null).toBe(link === null);
    }
    return { events: out, texts };
  };
  const log = async (): Promise<RecordedEvent[]> => events.readAll({ maxCount: 1_000_000 });

  beforeAll(async () => {
    const configFile = await writeDemoConfig(root, []);
    for (const [name, roles] of [
      ['boss', 'admin'],
      ['reader', 'read'],
    ] as const) {
      const made = await createUser(configFile, name, `pw-${name}`, roles);
      expect(made.code, made.stderr).toBe(0);
    }
    config = loadProjectsIni(configFile);
    const target = config.service.eventStoreTarget;
    if (target.kind !== 'sqlite') throw new Error('the demo config stores events in SQLite');
    writeSyntheticLog(target.path, { builds: 60, packages: 12 });
    api = await startLiveApi(config, { logLevel: 'silent', eventStreams: { maxStreams: 2, heartbeatMs: 100 } }, 20_000);
    ({ app, base, events } = api);
    // `package-package-1` is a prefix of `package-package-10`: the package filter must not mix them.
    await events.append('package-package-1', [testEvent('PackageSkipped', { package: 'package-1', reason: 'git' })]);
    await events.append('package-package-10', [testEvent('PackageSkipped', { package: 'package-10', reason: 'git' })]);
    expect(await api.caughtUp(20_000)).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('pages through the whole log with Link: every event once, in position order', async () => {
    const stored = await log();
    expect(stored.length).toBeGreaterThan(300);
    const { events: paged } = await allPages('/api/events?limit=37');
    expect(paged.map((e) => [e.position, e.stream, e.type, e.event_id])).toEqual(
      stored.map((e) => [e.position, e.streamId, e.type, e.metadata.eventId]),
    );
    // `after` is exclusive, and the default page is 100.
    const from = stored[10]!.position;
    const page = (await get(`/api/events?after=${from}`)).json() as { events: Answered[]; next_after: number };
    expect(page.events.map((e) => e.position)).toEqual(stored.slice(11, 111).map((e) => e.position));
    expect(page.next_after).toBe(stored[110]!.position);
  });

  it('filters by type, by package (exactly its streams) and by build', async () => {
    const stored = await log();
    const types = ['BuildFailed', 'PackageSkipped'];
    const byType = await allPages(`/api/events?type=${types.join(',')}&limit=5`);
    expect(byType.events.map((e) => e.position)).toEqual(
      stored.filter((e) => types.includes(e.type)).map((e) => e.position),
    );

    const ofPackage = (e: RecordedEvent) =>
      e.streamId.startsWith('build-package-1@') || e.streamId === 'package-package-1';
    const byPackage = await allPages('/api/events?package=package-1&limit=4');
    expect(byPackage.events.map((e) => e.position)).toEqual(stored.filter(ofPackage).map((e) => e.position));
    expect(byPackage.events.some((e) => e.stream === 'package-package-1')).toBe(true);
    expect(byPackage.events.some((e) => e.stream.includes('package-10'))).toBe(false);
    const both = await allPages('/api/events?package=package-1&type=BuildStarted');
    expect(both.events.map((e) => e.position)).toEqual(
      stored.filter((e) => ofPackage(e) && e.type === 'BuildStarted').map((e) => e.position),
    );

    // A build: the events of its commit stream, as `/api/builds/{id}/events` shows them, plus the stream.
    const claimed = stored.find((e) => e.type === 'BuildClaimed')!;
    const buildId = (claimed.data as { buildId: string }).buildId;
    const byBuild = (await get(`/api/events?build=${buildId}`)).json() as { events: Answered[]; next_after: null };
    const own = (await get(`/api/builds/${buildId}/events`)).json() as { stream: string; events: object[] };
    expect(byBuild.events.map(({ stream, ...rest }) => (expect(stream).toBe(own.stream), rest))).toEqual(own.events);
    expect(byBuild.next_after).toBeNull();
    const paged = await allPages(`/api/events?build=${buildId}&limit=1&after=${claimed.position - 1}`);
    expect(paged.events.map((e) => e.position)).toEqual(
      stored.filter((e) => e.streamId === claimed.streamId && e.position >= claimed.position).map((e) => e.position),
    );

    const unknown = await get('/api/events?build=0190ffff-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('0190ffff-0000-7000-8000-000000000000');
  });

  it('never lets a password hash out, unless an admin asks for a full read', async () => {
    const created = (await log()).filter((e) => e.type === 'UserCreated');
    expect(created).toHaveLength(2);
    const hashes = created.map((e) => (e.data as { passwordHash: string }).passwordHash);
    expect(hashes.every((h) => h.startsWith('$scrypt$'))).toBe(true);

    const { texts, events: redacted } = await allPages('/api/events?limit=50');
    const users = (await get('/api/events?type=UserCreated')).text;
    for (const text of [...texts, users]) for (const hash of hashes) expect(text).not.toContain(hash);
    expect(redacted.filter((e) => e.type === 'UserCreated').map((e) => e.data.passwordHash)).toEqual([
      '[redacted]',
      '[redacted]',
    ]);
    const { client } = await SseClient.open(`${base}/api/events/stream?after=0&type=UserCreated`);
    const streamed = await client.events(2);
    client.close();
    expect(streamed.map((m) => m.data.data.passwordHash)).toEqual(['[redacted]', '[redacted]']);

    const full = await get('/api/events?type=UserCreated&redact=false', { authorization: basic('boss') });
    expect(full.status, full.text).toBe(200);
    expect((full.json() as { events: Answered[] }).events.map((e) => e.data.passwordHash)).toEqual(hashes);
    const reader = await get('/api/events?type=UserCreated&redact=false', { authorization: basic('reader') });
    expect(reader.status).toBe(403);
    expect(reader.text).toContain('admin');
    const anonymous = await get('/api/events?type=UserCreated&redact=false');
    expect(anonymous.status).toBe(403);
    for (const text of [reader.text, anonymous.text]) for (const hash of hashes) expect(text).not.toContain(hash);
  });

  it('answers 400 naming the parameter for bad input', async () => {
    const cases: [string, string][] = [
      ['/api/events?limit=1001', 'limit'],
      ['/api/events?limit=0', 'limit'],
      ['/api/events?after=-1', 'after'],
      ['/api/events?after=abc', 'after'],
      ['/api/events?type=BuildSucceeded,NoSuchEvent', 'NoSuchEvent'],
      ['/api/events?type=,', 'type'],
      ['/api/events?package=../etc', 'package'],
      ['/api/events?package=a%20b', 'package'],
      ['/api/events?redact=maybe', 'redact'],
      ['/api/events/stream?type=Nope', 'Nope'],
      ['/api/events/stream?after=x', 'after'],
    ];
    for (const [path, named] of cases) {
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      expect((answer.json() as { message: string }).message, path).toContain(named);
    }
    const badId = await get('/api/events/stream', { 'last-event-id': 'yesterday' });
    expect(badId.status).toBe(400);
    expect(badId.text).toContain('Last-Event-ID');
  });

  it('resumes a dropped stream after Last-Event-ID with no gap and no duplicate, while events are appended', async () => {
    const live = app.get(LiveHistory);
    const slots = app.get(EventStreamSlots);
    await until(() => live.following === 0 && slots.open === 0, 5_000);
    const startHead = await events.headPosition();
    const { client: first } = await SseClient.open(`${base}/api/events/stream?after=0`);
    const seen = await first.events(150);
    expect(live.following).toBe(1);
    first.close(); // mid-stream: the server had more to send
    // Appended while nobody listens, and while the reconnect is under way.
    for (let i = 0; i < 5; i++) {
      await events.append(`package-late-${i}`, [testEvent('PackageSkipped', { package: `late-${i}`, reason: 'x' })]);
    }
    await until(() => live.following === 0 && slots.open === 0, 5_000);

    const last = seen[seen.length - 1]!.id;
    const { client: second } = await SseClient.open(`${base}/api/events/stream`, { 'last-event-id': String(last) });
    const appendMore = (async () => {
      for (let i = 5; i < 10; i++) {
        await events.append(`package-late-${i}`, [testEvent('PackageSkipped', { package: `late-${i}`, reason: 'x' })]);
      }
    })();
    await appendMore;
    const stored = await log();
    const rest = await second.events(stored.length - seen.length);
    second.close();
    const all = [...seen, ...rest];
    expect(all.map((m) => m.id)).toEqual(stored.map((e) => e.position));
    expect(all.map((m) => m.data.event_id)).toEqual(stored.map((e) => e.metadata.eventId));
    expect(all.every((m) => m.type === m.data.type && m.id === m.data.position)).toBe(true);
    expect(stored[stored.length - 1]!.position).toBeGreaterThan(startHead);
    await until(() => live.following === 0 && slots.open === 0, 5_000);
  });

  it('starts at the head without a position, sends heartbeats, and bounds the open streams', async () => {
    const live = app.get(LiveHistory);
    await until(() => live.following === 0, 5_000);
    const { client: a } = await SseClient.open(`${base}/api/events/stream`);
    expect(await a.comment()).toBe(': heartbeat');
    const { client: b, status } = await SseClient.open(`${base}/api/events/stream?package=package-3`);
    expect(status).toBe(200);
    const refused = await fetch(`${base}/api/events/stream`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { message: string }).message).toContain('Too many event streams');
    expect(live.following).toBe(2);

    // Only what is appended from now on, filtered.
    await events.append('package-package-30', [testEvent('PackageSkipped', { package: 'package-30', reason: 'x' })]);
    await events.append('package-package-3', [testEvent('PackageSkipped', { package: 'package-3', reason: 'x' })]);
    const head = await events.headPosition();
    const [onlyNew] = await a.events(1);
    const [ofPackage] = await b.events(1);
    expect(onlyNew!.id).toBe(head - 1);
    expect(ofPackage!.id).toBe(head);
    expect(ofPackage!.data.stream).toBe('package-package-3');
    a.close();
    b.close();
    await until(() => live.following === 0, 5_000);
  });

  it('is read-protected as every read is when protect_read_endpoints is set', async () => {
    const protectedApp = await createApiApp(
      { ...config, service: { ...config.service, protectReadEndpoints: true } } as DlrnConfig,
      { logLevel: 'silent' },
    );
    await protectedApp.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(protectedApp.getHttpServer().address() as { port: number }).port}`;
    try {
      const status = async (path: string, headers: Record<string, string> = {}) => {
        const response = await fetch(`${url}${path}`, { headers });
        await response.text();
        return response.status;
      };
      expect(await status('/api/events')).toBe(401);
      expect(await status('/api/events/stream')).toBe(401);
      expect(await status('/api/events', { authorization: basic('reader') })).toBe(200);
      const { client: allowed, status: streamStatus } = await SseClient.open(`${url}/api/events/stream`, {
        authorization: basic('reader'),
      });
      allowed.close();
      expect(streamStatus).toBe(200);
      expect(await status('/api/events?redact=false', { authorization: basic('reader') })).toBe(403);
      expect(await status('/api/events?redact=false', { authorization: basic('boss') })).toBe(200);
      // A stream still open when the server shuts down is ended by it, not waited for.
      const { client: open } = await SseClient.open(`${url}/api/events/stream`, { authorization: basic('reader') });
      await protectedApp.close();
      await expect(open.events(1)).rejects.toThrow('stream ended');
    } finally {
      await protectedApp.close();
    }
  });
});
