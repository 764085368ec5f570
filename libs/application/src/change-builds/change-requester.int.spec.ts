import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PackageInfo } from '#domain/package/package-info.js';
import { Secret } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { PushReceiver } from '../webhooks/push-receiver.js';
import { waitForPush } from '../webhooks/push-waker.js';
import { ChangeRequester } from './change-requester.js';
import { queuedChangeBuilds } from './change-queue.js';

const SECRET = 'github-secret-0123456789';
const packages: PackageInfo[] = [
  {
    name: 'openstack-nova',
    project: 'nova',
    upstream: 'https://github.com/openstack/nova',
    'master-distgit': 'https://github.com/rdo-packages/nova-distgit',
    maintainers: [],
  },
];

const pullRequest = (number: number, sha: string, base = 'master') =>
  Buffer.from(
    JSON.stringify({
      action: 'synchronize',
      number,
      pull_request: { number, head: { sha }, base: { ref: base } },
      repository: { clone_url: 'https://github.com/openstack/nova.git' },
    }),
  );
const headers = (body: Buffer, delivery: string) => ({
  'x-github-event': 'pull_request',
  'x-github-delivery': delivery,
  'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
});

describe('change requests through the push receiver, over a SQLite log', () => {
  let dir: string;
  let store: SqliteEventStore;
  const receiver = (changes: boolean) =>
    new PushReceiver({
      store,
      ids: new UuidV7IdGenerator(),
      clock: new SystemClock(),
      secrets: { github: new Secret(SECRET), gitea: null, gitlab: null, gerrit: null },
      defaults: { source: 'master', distro: 'rpm-master' },
      loadPackages: async () => packages,
      changes: changes ? new ChangeRequester(store, new UuidV7IdGenerator(), new SystemClock()) : null,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-change-requests-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with [changes] enabled off, acknowledges a pull request and records nothing', async () => {
    const body = pullRequest(1, 'a'.repeat(40));
    expect(await receiver(false).receive('github', headers(body, 'd1'), body)).toEqual({
      status: 'ignored',
      deliveryId: 'd1',
      reason: 'change builds are off ([changes] enabled)',
    });
    expect(await store.readAll()).toEqual([]);
  });

  it('records a request that wakes builders for its package; a change to an unfollowed branch is ignored', async () => {
    const body = pullRequest(7, 'b'.repeat(40));
    const woken = waitForPush(store, 0, 5000, new AbortController().signal);
    const outcome = await receiver(true).receive('github', headers(body, 'd2'), body);
    expect(outcome).toMatchObject({ status: 'accepted', packages: ['openstack-nova'] });
    expect((await woken)?.packages).toEqual(['openstack-nova']);
    const other = pullRequest(8, 'c'.repeat(40), 'feature');
    expect(await receiver(true).receive('github', headers(other, 'd3'), other)).toMatchObject({ status: 'ignored' });
  });

  it('offers the newest patch set of each change, oldest request first, only for the packages asked', async () => {
    const r = receiver(true);
    for (const [number, sha, delivery] of [
      [3, 'd'.repeat(40), 'e1'],
      [4, 'e'.repeat(40), 'e2'],
      [3, 'f'.repeat(40), 'e3'],
    ] as const) {
      const body = pullRequest(number, sha);
      await r.receive('github', headers(body, delivery), body);
    }
    const queue = await queuedChangeBuilds(store, new Set(['openstack-nova']), new Date());
    expect(queue.map((q) => [q.request.change, q.request.patchset])).toEqual([
      ['4', 1],
      ['3', 2],
    ]);
    expect(await queuedChangeBuilds(store, new Set(['other']), new Date())).toEqual([]);
    // a build started by a process that is gone is offered again, naming its holder for the takeover
    await store.append(queue[0]!.streamId, [
      {
        type: 'ChangeBuildStarted',
        data: {
          ...queue[0]!.request,
          builderId: 'b (host:1)',
          startedAt: '',
          leaseExpiresAt: '2999-01-01T00:00:00.000Z',
        },
        metadata: {
          schemaVersion: 1,
          eventId: '0192f3a4-5b6c-7d8e-9f01-23456789abcd',
          occurredAt: new Date().toISOString(),
          correlationId: 'c',
          causationId: null,
          actor: 'test',
        },
      },
    ]);
    expect(
      (await queuedChangeBuilds(store, new Set(['openstack-nova']), new Date(), () => false)).map(
        (q) => q.request.change,
      ),
    ).toEqual(['3']);
    const again = await queuedChangeBuilds(
      store,
      new Set(['openstack-nova']),
      new Date(),
      (holder) => holder === 'b (host:1)',
    );
    expect(again.map((q) => [q.request.change, q.stoppedHolder])).toEqual([
      ['4', 'b (host:1)'],
      ['3', undefined],
    ]);
  });
});
