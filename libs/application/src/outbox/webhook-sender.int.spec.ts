import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEvent } from '../../../../test/support/events.js';
import { WebhookTransport, type AttemptOutcome } from '#domain/delivery/webhook-transport.port.js';
import type { ReadModelStore } from '#domain/projections/projection.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import {
  openPostgresReadModelStore,
  openSqliteReadModelStore,
} from '#infrastructure/read-model/kysely-read-model.store.js';
import { SENDER_NAME, WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

const PG_URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A receiver in memory: answers by `answer(id, attempt)`, remembers every request. */
class FakeReceiver extends WebhookTransport {
  readonly endpoint = 'https://receiver.example.org/hook';
  readonly sent: { id: string; body: string }[] = [];
  constructor(private readonly answer: (id: string, attempt: number) => number) {
    super();
  }
  send(message: { id: string; timestamp: Date; body: string }): Promise<AttemptOutcome> {
    const attempt = this.sent.filter((s) => s.id === message.id).length + 1;
    this.sent.push({ id: message.id, body: message.body });
    const status = this.answer(message.id, attempt);
    return Promise.resolve(status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
  }
}

const stores = {
  sqlite: async (dir: string) => ({
    store: await openSqliteReadModelStore(join(dir, 'views.sqlite')),
    drop: async () => {},
  }),
  postgresql: async () => {
    const schema = `wh_${randomBytes(6).toString('hex')}`;
    return {
      store: await openPostgresReadModelStore(PG_URL, { schema }),
      drop: async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
      },
    };
  },
};

describe.each(Object.keys(stores) as (keyof typeof stores)[])('webhook sender over a %s read-model store', (kind) => {
  let dir: string;
  let events: EventStore;
  let views: ReadModelStore;
  let drop: () => Promise<void>;
  let commands: DeciderCommandHandler;
  const options: WebhookSenderOptions = { maxAttempts: 3, retryDelayMs: 10, retryMaxDelayMs: 20, source: 'urn:test' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-sender-'));
    const path = join(dir, 'events.sqlite');
    events = await openEventStore({ kind: 'sqlite', url: `sqlite:///${path}`, path });
    ({ store: views, drop } = await stores[kind](dir));
    commands = new DeciderCommandHandler(events, new UuidV7IdGenerator(), new SystemClock());
  });

  afterEach(async () => {
    await views.close();
    await events.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a sender until `done()` holds, then stops it; returns its checkpoint. */
  const runUntil = async (receiver: FakeReceiver, done: () => boolean, extra: Partial<WebhookSenderOptions> = {}) => {
    const sender = new WebhookSender(events, views, commands, receiver, { ...options, ...extra });
    expect(await sender.start()).toBe(true);
    const stop = new AbortController();
    const running = sender.run(stop.signal);
    const deadline = Date.now() + 20_000;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort();
    await running;
    await sender.stop();
    return sender.checkpoint;
  };

  it('starts at the head on its first run, so events recorded before it are not sent', async () => {
    await events.append('build-a', [testEvent('BuildStarted', { buildId: 'a' })]);
    const receiver = new FakeReceiver(() => 204);
    const checkpoint = await runUntil(receiver, () => true);
    expect(checkpoint).toBe(1);
    expect(receiver.sent).toEqual([]);
  });

  it('sends an event failed once again with the same id, and stores a checkpoint past every event', async () => {
    const receiver = new FakeReceiver((_id, attempt) => (attempt === 1 ? 503 : 204));
    await runUntil(receiver, () => true); // first run: checkpoint at the (empty) head
    await events.append('build-a', [testEvent('BuildStarted', { buildId: 'a' }), testEvent('BuildFailed', {})]);
    await events.append('build-b', [testEvent('BuildStarted', { buildId: 'b' })]);
    const checkpoint = await runUntil(receiver, () => receiver.sent.length >= 6);
    const ids = (await events.readAll()).filter((e) => e.streamId.startsWith('build-')).map((e) => e.metadata.eventId);
    expect(receiver.sent.map((s) => s.id).sort()).toEqual([...ids, ...ids].sort());
    // Past the three events, and past the delivery events the sender recorded (not sent).
    expect(checkpoint).toBeGreaterThanOrEqual(3);
    const [first] = await events.readStream('build-a');
    const recorded = await events.readStream(`delivery-${first!.metadata.eventId}`);
    expect(recorded.map((e) => e.type)).toEqual(['WebhookDeliveryFailed', 'WebhookDelivered']);
    expect(recorded[0]!.data).toMatchObject({ attempt: 1, error: 'HTTP 503', status: 503, eventStreamId: 'build-a' });
  });

  it('lets only one sender hold the lease', async () => {
    const first = new WebhookSender(events, views, commands, new FakeReceiver(() => 204), options);
    const second = new WebhookSender(events, views, commands, new FakeReceiver(() => 204), options);
    expect(await first.start()).toBe(true);
    expect(await second.start()).toBe(false);
    await first.stop();
    expect(await second.start()).toBe(true);
    await second.stop();
    expect((await views.checkpoints()).some((c) => c.name === SENDER_NAME && c.active)).toBe(false);
  });

  it('stopped while retrying, keeps its checkpoint before the event, which the next sender sends', async () => {
    await runUntil(new FakeReceiver(() => 204), () => true);
    await events.append('build-a', [testEvent('BuildStarted', { buildId: 'a' })]);
    const down = new FakeReceiver(() => 503);
    const stopped = await runUntil(down, () => down.sent.length >= 1, {
      retryDelayMs: 60_000,
      retryMaxDelayMs: 60_000,
    });
    expect(stopped).toBe(0);
    const up = new FakeReceiver(() => 204);
    expect(await runUntil(up, () => up.sent.length >= 1)).toBeGreaterThanOrEqual(1);
    expect(up.sent.map((s) => s.id)).toEqual([down.sent[0]!.id]);
  });

  it('dead-letters an event after every attempt failed, and moves on to the next of its stream', async () => {
    await runUntil(new FakeReceiver(() => 204), () => true);
    await events.append('build-a', [testEvent('BuildStarted', { buildId: 'a' }), testEvent('BuildFailed', {})]);
    const [started, failed] = await events.readStream('build-a');
    const receiver = new FakeReceiver((id) => (id === started!.metadata.eventId ? 500 : 204));
    await runUntil(receiver, () => receiver.sent.some((s) => s.id === failed!.metadata.eventId));
    expect(receiver.sent.map((s) => s.id)).toEqual([
      ...Array<string>(3).fill(started!.metadata.eventId),
      failed!.metadata.eventId,
    ]);
    const [failure, dead] = await events.readStream(`delivery-${started!.metadata.eventId}`);
    expect(failure?.type).toBe('WebhookDeliveryFailed');
    expect(dead).toMatchObject({
      type: 'WebhookDeliveryDeadLettered',
      data: { attempts: 3, lastError: 'HTTP 500', lastStatus: 500, eventStreamId: 'build-a', eventRevision: 0 },
    });
  });
});
