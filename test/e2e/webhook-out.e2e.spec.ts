import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runWebhookSender } from '#application/outbox/webhook-sender.loop.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import { DELIVERED_EVENT_TYPES } from '#domain/delivery/cloud-event.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { userDecider } from '#domain/user/user.decider.js';
import { userStreamId } from '#domain/user/user.events.js';
import { hashPassword } from '#infrastructure/auth/password-hasher.js';
import { loadProjectsIni, type DlrnConfig } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { recordBuild } from '../support/build-commands.js';
import { startDlrn } from '../support/dlrn-process.js';
import { commitData } from '../support/events.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';
import { waitFor } from '../support/wait-for.js';

/** One request the receiver got: its CloudEvent, headers, and whether the signature verified. */
interface Received {
  readonly id: string;
  readonly subject: string;
  readonly revision: number;
  readonly type: string;
  readonly ceType: string;
  readonly headers: IncomingHttpHeaders;
  readonly verified: boolean;
  readonly answered: number;
}

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const basic = (user: string): string => `Basic ${Buffer.from(`${user}:pw-${user}`).toString('base64')}`;
const until = (condition: () => boolean, timeoutMs = 20_000) =>
  waitFor(async () => (condition() ? true : undefined), timeoutMs);

describe('outgoing webhook (events out)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-webhook-out-'));
  const received: Received[] = [];
  /** Streams whose deliveries the receiver answers 503. */
  const failing = new Set<string>();
  let receiver: Server;
  let config: DlrnConfig;
  let api: LiveApi;
  let commands: DeciderCommandHandler;
  let builds = 0;

  /** A sender as the projector runs it; resolves once it has started delivering. */
  const startSender = async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runWebhookSender(
      api.events,
      api.views,
      {
        webhook: config.notify.webhook!,
        source: 'https://trunk.example.org',
        log: (l) => lines.push(l),
        standbyRetryMs: 100,
      },
      stop.signal,
    );
    const sender = {
      lines,
      delivering: () => lines.some((l) => l.startsWith('webhook: delivering events after position')),
      stop: async () => {
        stop.abort();
        await running;
      },
    };
    return sender;
  };

  /** The next build's stream, and recording it (4 delivered events: discovered, claimed, started, failed). */
  const nextBuild = () => {
    builds += 1;
    const hash = builds.toString(16).padStart(40, 'a');
    const commit = commitData({ package: `pkg-${builds}`, commitHash: hash, distroHash: hash.replace(/a/g, 'b') });
    const buildId = `build-${builds}`;
    return {
      stream: buildStreamId(commit.package, commit),
      record: () =>
        recordBuild(
          commands,
          { commit, buildId, now: new Date(), outcome: { status: 'failure', notes: 'failed', transientError: null } },
          { correlationId: buildId, causationId: null, actor: 'test' },
        ),
    };
  };
  const build = (): Promise<string> => nextBuild().record();

  const ofStream = (stream: string) => received.filter((r) => r.subject === stream);
  const logEvents = async (stream: string): Promise<RecordedEvent[]> =>
    (await api.events.readStream(stream)).filter((e) => (DELIVERED_EVENT_TYPES as readonly string[]).includes(e.type));
  const get = (path: string, user?: string) =>
    fetch(`${api.base}${path}`, { headers: user ? { authorization: basic(user) } : {} });

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let verified = true;
        try {
          new Webhook(SECRET).verify(body, request.headers as Record<string, string>);
        } catch {
          verified = false;
        }
        const event = JSON.parse(body) as Record<string, unknown>;
        const subject = String(event.subject);
        const answered = !verified ? 400 : failing.has(subject) ? 503 : 204;
        received.push({
          id: String(event.id),
          subject,
          revision: Number(event.dlrnrevision),
          type: String(event.dlrntype),
          ceType: String(event.type),
          headers: request.headers,
          verified,
          answered,
        });
        response.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    const configFile = await writeDemoConfig(root, []);
    appendFileSync(
      configFile,
      [
        '[notify]',
        `webhook_url=http://127.0.0.1:${port}/hook?token=t`,
        `webhook_secret=${SECRET}`,
        'webhook_allowed_hosts=127.0.0.1',
        'webhook_max_attempts=3',
        'webhook_retry_delay_ms=300',
        'webhook_retry_max_delay_ms=600',
        'webhook_timeout=5',
        '',
      ].join('\n'),
    );
    config = loadProjectsIni(configFile);
    api = await startLiveApi(config, { logLevel: 'silent' }, 20_000);
    commands = new DeciderCommandHandler(api.events, new UuidV7IdGenerator(), new SystemClock());
    for (const [username, role] of [
      ['boss', 'admin'],
      ['ci', 'vote'],
    ] as const) {
      const passwordHash = await hashPassword(`pw-${username}`);
      await commands.handle(
        userStreamId(username),
        userDecider,
        { type: 'CreateUser', username, passwordHash, roles: [role] },
        { correlationId: username, causationId: null, actor: 'test' },
      );
    }
    expect(await api.caughtUp(20_000)).toBe(true);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  describe('when the receiver answers 2xx', () => {
    it('gets every build event once, signed per Standard Webhooks, in order within each stream', async () => {
      const sender = await startSender();
      try {
        await until(sender.delivering);
        const streams = [await build(), await build()];
        const expected = (await Promise.all(streams.map(logEvents))).flat();
        expect(expected.length).toBeGreaterThanOrEqual(8);
        await until(() => received.length >= expected.length);
        expect(received.every((r) => r.verified)).toBe(true);
        expect(received.map((r) => r.id).sort()).toEqual(expected.map((e) => e.metadata.eventId).sort());
        for (const stream of streams) {
          const revisions = ofStream(stream).map((r) => r.revision);
          expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        }
        const first = received[0]!;
        expect(first.headers['webhook-id']).toBe(first.id);
        expect(first.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
        expect(first).toMatchObject({ type: 'CommitDiscovered', ceType: 'org.dlrn.commit.discovered' });
      } finally {
        await sender.stop();
      }
    }, 60_000);
  });

  describe('when the receiver fails the deliveries of one stream', () => {
    let failed = '';

    it('retries them with the same webhook-id, dead-letters them in order, and delivers other streams meanwhile', async () => {
      const sender = await startSender();
      try {
        await until(sender.delivering);
        const next = nextBuild();
        const doomed = next.stream;
        failed = doomed;
        failing.add(doomed);
        await next.record();
        const other = await build();
        const expectedOther = await logEvents(other);
        await until(() => ofStream(other).length >= expectedOther.length);
        const doomedEvents = await logEvents(doomed);
        // The other stream went through while the failing one was still being retried.
        expect(ofStream(doomed).length).toBeLessThan(doomedEvents.length * 3);
        await until(() => ofStream(doomed).length >= doomedEvents.length * 3);
        const attempts = ofStream(doomed);
        expect(attempts.map((r) => r.id)).toEqual(doomedEvents.flatMap((e) => Array(3).fill(e.metadata.eventId)));
        expect(new Set(attempts.map((r) => r.headers['webhook-signature'])).size).toBeGreaterThan(1);
        expect(attempts.every((r) => r.verified && r.answered === 503)).toBe(true);
        // Each delivery's stream: its first failure (retrying), then its dead letter.
        for (const event of doomedEvents) {
          const recorded = await waitFor(async () => {
            const stream = await api.events.readStream(`delivery-${event.metadata.eventId}`);
            return stream.length === 2 ? stream : undefined;
          }, 20_000);
          expect(recorded.map((e) => e.type)).toEqual(['WebhookDeliveryFailed', 'WebhookDeliveryDeadLettered']);
        }
      } finally {
        await sender.stop();
      }
    }, 60_000);

    it('lists the dead letters to admins only, newest first, filtered and paged', async () => {
      const doomedEvents = await logEvents(failed);
      const page = await waitFor(async () => {
        const answer = (await (await get(`/api/deliveries?subject=${failed}`, 'boss')).json()) as {
          deliveries: { id: string; state: string; attempts: number; last_error: string; endpoint: string }[];
        };
        return answer.deliveries.length === doomedEvents.length ? answer : undefined;
      }, 20_000);
      expect(page.deliveries.map((d) => d.id)).toEqual(doomedEvents.map((e) => e.metadata.eventId).reverse());
      expect(page.deliveries[0]).toMatchObject({
        state: 'dead_lettered',
        attempts: 3,
        last_error: 'HTTP 503',
        next_attempt_at: null,
      });
      expect(page.deliveries[0]!.endpoint).not.toContain('token');
      expect((await get('/api/deliveries')).status).toBe(401);
      expect((await get('/api/deliveries', 'ci')).status).toBe(403);
      const first = (await (await get('/api/deliveries?limit=2', 'boss')).json()) as {
        deliveries: { id: string }[];
        next: string;
      };
      expect(first.deliveries).toHaveLength(2);
      const second = (await (await get(first.next, 'boss')).json()) as { deliveries: { id: string }[] };
      expect(second.deliveries.map((d) => d.id)).toEqual(page.deliveries.slice(2, 4).map((d) => d.id));
      const filtered = (await (await get('/api/deliveries?event_type=CommitDiscovered', 'boss')).json()) as {
        deliveries: { id: string }[];
      };
      expect(filtered.deliveries.map((d) => d.id)).toEqual([doomedEvents[0]!.metadata.eventId]);
      expect((await get('/api/deliveries?state=lost', 'boss')).status).toBe(400);
    }, 30_000);

    it('redelivers a dead letter by hand once the receiver recovers, with the same webhook-id', async () => {
      const sender = await startSender();
      try {
        await until(sender.delivering);
        failing.delete(failed);
        const [target] = await logEvents(failed);
        const id = target!.metadata.eventId;
        const post = (deliveryId: string, user = 'boss') =>
          fetch(`${api.base}/api/deliveries/${deliveryId}/redeliver`, {
            method: 'POST',
            headers: { authorization: basic(user) },
          });
        expect((await post(id, 'ci')).status).toBe(403);
        const before = ofStream(failed).length;
        expect((await post(id)).status).toBe(202);
        await until(() => ofStream(failed).length > before);
        const redelivered = ofStream(failed).at(-1)!;
        expect(redelivered).toMatchObject({ id, answered: 204, verified: true });
        expect(redelivered.headers['webhook-id']).toBe(id);
        await waitFor(async () => {
          const answer = (await (await get(`/api/deliveries?subject=${failed}&state=redelivered`, 'boss')).json()) as {
            deliveries: { id: string }[];
          };
          return answer.deliveries.some((d) => d.id === id) ? true : undefined;
        }, 20_000);
        expect((await post(id)).status).toBe(409);
        expect((await post('0192f3a4-5b6c-7d8e-9f01-23456789abcd')).status).toBe(404);
        expect((await post('not-a-uuid')).status).toBe(400);
      } finally {
        await sender.stop();
      }
    }, 60_000);
  });

  describe('when `dlrn projector` runs with [notify] webhook_url', () => {
    it('sends the events from its own process, and stops cleanly on SIGTERM', async () => {
      const projector = await startDlrn(
        ['projector', '--config-file', config.configFile],
        /webhook: delivering events after position (\d+)/,
      );
      try {
        const stream = await build();
        const expected = await logEvents(stream);
        await until(() => ofStream(stream).length >= expected.length, 30_000);
        expect(ofStream(stream).map((r) => r.id)).toEqual(expected.map((e) => e.metadata.eventId));
        expect(ofStream(stream).every((r) => r.verified)).toBe(true);
      } finally {
        expect(await projector.stop()).toBe(0);
      }
    }, 90_000);
  });

  describe('when the sender stops and another process starts one', () => {
    it('stands by while one runs, takes over when it stops, and resumes after its checkpoint without loss or repeats', async () => {
      const first = await startSender();
      await until(first.delivering);
      const standby = await startSender();
      try {
        await until(() => standby.lines.some((l) => l.includes('standing by')));
        const sentBefore = new Set(received.map((r) => r.id));
        const countBefore = received.length;
        await first.stop();
        const whileStopped = await build();
        await until(standby.delivering);
        const expected = await logEvents(whileStopped);
        await until(() => ofStream(whileStopped).length >= expected.length);
        expect(ofStream(whileStopped).map((r) => r.id)).toEqual(expected.map((e) => e.metadata.eventId));
        // Nothing delivered before the first sender stopped was sent again.
        expect(received.slice(countBefore).filter((r) => sentBefore.has(r.id))).toEqual([]);
      } finally {
        await standby.stop();
        await first.stop();
      }
    }, 60_000);
  });
});
