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
import { PushReceiver } from './push-receiver.js';
import { waitForPush } from './push-waker.js';

const GITHUB_SECRET = 'github-secret-0123456789';
const GITEA_SECRET = 'gitea-secret-0123456789';
const GITLAB_TOKEN = 'gitlab-token-0123456789';
const GERRIT_TOKEN = 'gerrit-token-0123456789';

const packages: PackageInfo[] = [
  {
    name: 'openstack-nova',
    project: 'nova',
    upstream: 'https://github.com/openstack/nova',
    'master-distgit': 'https://github.com/rdo-packages/nova-distgit',
    maintainers: [],
  },
];

const hmac = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/** GitHub's push payload, as documented (the fields we read, and a few we do not). */
const githubPush = (ref = 'refs/heads/master') =>
  Buffer.from(
    JSON.stringify({
      ref,
      before: 'a'.repeat(40),
      after: 'b'.repeat(40),
      deleted: false,
      repository: {
        full_name: 'openstack/nova',
        clone_url: 'https://github.com/openstack/nova.git',
        ssh_url: 'git@github.com:openstack/nova.git',
        html_url: 'https://github.com/openstack/nova',
      },
      pusher: { name: 'someone' },
      commits: [],
    }),
  );

const githubHeaders = (body: Buffer, delivery: string, secret = GITHUB_SECRET) => ({
  'content-type': 'application/json',
  'x-github-event': 'push',
  'x-github-delivery': delivery,
  'x-hub-signature-256': `sha256=${hmac(secret, body)}`,
});

describe('PushReceiver over a SQLite log', () => {
  let dir: string;
  let store: SqliteEventStore;
  let receiver: PushReceiver;

  const pushEvents = async () => (await store.readAll()).filter((e) => e.type === 'PushReceived');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlrn-push-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    receiver = new PushReceiver({
      store,
      ids: new UuidV7IdGenerator(),
      clock: new SystemClock(),
      secrets: {
        github: new Secret(GITHUB_SECRET),
        gitea: new Secret(GITEA_SECRET),
        gitlab: new Secret(GITLAB_TOKEN),
        gerrit: new Secret(GERRIT_TOKEN),
      },
      defaults: { source: 'master', distro: 'rpm-master' },
      loadPackages: async () => packages,
    });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when a GitHub push of a followed branch is signed', () => {
    it('records PushReceived naming the package, once per delivery id', async () => {
      const body = githubPush();
      const first = await receiver.receive('github', githubHeaders(body, 'delivery-1'), body);
      expect(first).toMatchObject({ status: 'accepted', deliveryId: 'delivery-1', packages: ['openstack-nova'] });
      const again = await receiver.receive('github', githubHeaders(body, 'delivery-1'), body);
      expect(again).toEqual({ status: 'duplicate', deliveryId: 'delivery-1' });
      const events = await pushEvents();
      expect(events).toHaveLength(1);
      expect(events[0]!.streamId).toBe('webhookdelivery-github_delivery-1');
      expect(events[0]!.data).toEqual({
        forge: 'github',
        deliveryId: 'delivery-1',
        repositoryUrl: 'https://github.com/openstack/nova.git',
        ref: 'refs/heads/master',
        after: 'b'.repeat(40),
        packages: ['openstack-nova'],
      });
      expect(events[0]!.metadata).toMatchObject({ actor: 'webhook:github', trigger: 'webhook' });
    });
  });

  describe('when the signature is wrong, missing, or the forge has no secret', () => {
    it('refuses and records nothing', async () => {
      const body = githubPush();
      const wrongKey = await receiver.receive('github', githubHeaders(body, 'd1', 'another-secret-0123456'), body);
      expect(wrongKey).toMatchObject({ status: 'refused' });
      const tampered = Buffer.from(body.toString().replace('master', 'mastes'));
      expect(await receiver.receive('github', githubHeaders(body, 'd2'), tampered)).toMatchObject({
        status: 'refused',
      });
      const { 'x-hub-signature-256': _dropped, ...unsigned } = githubHeaders(body, 'd3');
      expect(await receiver.receive('github', unsigned, body)).toMatchObject({ status: 'refused' });
      const noSecret = new PushReceiver({
        store,
        ids: new UuidV7IdGenerator(),
        clock: new SystemClock(),
        secrets: { github: null, gitea: null, gitlab: null, gerrit: null },
        defaults: { source: 'master', distro: 'rpm-master' },
        loadPackages: async () => packages,
      });
      expect(await noSecret.receive('github', githubHeaders(body, 'd4'), body)).toMatchObject({
        status: 'refused',
        reason: expect.stringContaining('no [webhooks] secret'),
      });
      expect(await pushEvents()).toEqual([]);
    });
  });

  describe('when a signed push moves a branch nobody follows', () => {
    it('acknowledges it as ignored and records nothing', async () => {
      const body = githubPush('refs/heads/feature');
      const outcome = await receiver.receive('github', githubHeaders(body, 'd5'), body);
      expect(outcome).toMatchObject({ status: 'ignored', reason: expect.stringContaining('no package follows') });
      expect(await pushEvents()).toEqual([]);
    });
  });

  describe('GitLab, Gitea and Gerrit pushes in their documented shapes', () => {
    it('are each recorded for the package they move', async () => {
      const gitlab = Buffer.from(
        JSON.stringify({
          object_kind: 'push',
          ref: 'refs/heads/rpm-master',
          after: 'c'.repeat(40),
          project: {
            path_with_namespace: 'rdo-packages/nova-distgit',
            git_http_url: 'https://GITHUB.com/rdo-packages/nova-distgit.git',
            git_ssh_url: 'git@github.com:rdo-packages/nova-distgit.git',
          },
        }),
      );
      const gitea = Buffer.from(
        JSON.stringify({
          ref: 'refs/heads/master',
          after: 'd'.repeat(40),
          repository: { clone_url: 'http://github.com/openstack/nova/' },
        }),
      );
      const gerrit = Buffer.from(
        JSON.stringify({
          type: 'ref-updated',
          submitter: { name: 'Zuul' },
          refUpdate: {
            oldRev: 'e'.repeat(40),
            newRev: 'f'.repeat(40),
            refName: 'refs/heads/master',
            project: 'openstack/nova',
          },
          eventCreatedOn: 1700000000,
        }),
      );
      const outcomes = [
        await receiver.receive(
          'gitlab',
          { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': GITLAB_TOKEN, 'x-gitlab-event-uuid': 'gl-1' },
          gitlab,
        ),
        await receiver.receive(
          'gitea',
          { 'x-gitea-event': 'push', 'x-gitea-delivery': 'gt-1', 'x-gitea-signature': hmac(GITEA_SECRET, gitea) },
          gitea,
        ),
        await receiver.receive('gerrit', { authorization: `Bearer ${GERRIT_TOKEN}` }, gerrit),
        // the same Gerrit event again: its id is the body's digest
        await receiver.receive('gerrit', { authorization: `Bearer ${GERRIT_TOKEN}` }, gerrit),
      ];
      expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted', 'duplicate']);
      const events = await pushEvents();
      expect(events.map((e) => (e.data as { forge: string }).forge)).toEqual(['gitlab', 'gitea', 'gerrit']);
      expect(
        events.every((e) => JSON.stringify((e.data as { packages: string[] }).packages) === '["openstack-nova"]'),
      ).toBe(true);
    });

    it('refuses a GitLab token that differs, and a Gerrit request without Bearer', async () => {
      const body = Buffer.from('{"object_kind":"push"}');
      expect(
        await receiver.receive('gitlab', { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'nope' }, body),
      ).toMatchObject({ status: 'refused' });
      expect(await receiver.receive('gerrit', { authorization: `Basic ${GERRIT_TOKEN}` }, body)).toMatchObject({
        status: 'refused',
      });
    });

    it('answers invalid for a signed body that is not the documented payload', async () => {
      const body = Buffer.from('{"ref": 3}');
      const outcome = await receiver.receive('github', githubHeaders(body, 'd6'), body);
      expect(outcome).toMatchObject({ status: 'invalid', reason: expect.stringContaining('body.ref') });
    });
  });

  describe('a builder waiting for pushes', () => {
    it('wakes on a push appended through another handle on the log, naming its packages', async () => {
      const other = new SqliteEventStore(join(dir, 'events.sqlite'));
      try {
        const head = await other.headPosition();
        const waiting = waitForPush(other, head, 30_000, new AbortController().signal);
        const body = githubPush();
        await receiver.receive('github', githubHeaders(body, 'wake-1'), body);
        expect(await waiting).toMatchObject({ packages: ['openstack-nova'] });
      } finally {
        await other.close();
      }
    });

    it('gives null when nothing came before the timeout', async () => {
      expect(await waitForPush(store, await store.headPosition(), 100, new AbortController().signal)).toBeNull();
    });
  });
});
