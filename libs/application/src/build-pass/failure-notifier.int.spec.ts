import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRow } from '#domain/build/build-history.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { recordBuild } from '../../../../test/support/build-commands.js';
import { commitData } from '../../../../test/support/events.js';
import { startMailingPass, type MailingPass } from '../../../../test/support/mailing-pass.js';
import type { TestSmtpServer } from '../../../../test/support/smtp-server.js';
import { SteppedClock } from '../../../../test/support/stepped-clock.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { BuildHistoryReader } from './build-history.reader.js';
import { FailureNotifier } from './failure-notifier.js';
import type { ReviewRequest } from '#domain/package/notification.ports.js';

const MINUTE = 60;
const HOUR = 3600;
const T0 = new Date('2026-03-02T08:00:00Z');
const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };
const pkg: PackageInfo = {
  name: 'python-glanceclient',
  project: 'glanceclient',
  upstream: 'https://opendev.org/openstack/python-glanceclient',
  'master-distgit': 'https://github.com/rdo-packages/glanceclient-distgit.git',
  maintainers: ['alice@example.org'],
};

describe('failure mail throttle (one mail per package a day), over SMTP and the event store', () => {
  let pass: MailingPass;
  let smtp: TestSmtpServer;
  let store: SqliteEventStore;
  let notifier: FailureNotifier;
  let reader: BuildHistoryReader;
  const clock = new SteppedClock(T0);
  const ids = new UuidV7IdGenerator();
  let commits = 0;

  /** A build of a new commit fails now, and the notifier hears of it as the build pass tells it. */
  const failAndNotify = async (): Promise<void> => {
    const commitHash = `c${++commits}`.padEnd(40, '0');
    const commit = commitData({
      package: pkg.name,
      project: pkg.project,
      commitHash,
      distroHash: 'd1',
      dtCommit: Math.floor(clock.now().getTime() / 1000),
    });
    const outcome = { status: 'failure', notes: 'boom', transientError: null } as const;
    await recordBuild(
      new DeciderCommandHandler(store, ids, clock),
      { commit, buildId: ids.next(), now: clock.now(), outcome },
      context,
    );
    const after = await reader.catchUp();
    const row = after.lastAttempt(pkg.name) as BuildRow;
    await notifier.notify({
      pkg,
      row,
      previousStatus: null,
      lastMailAt: after.lastMailAt(pkg.name),
      buildEnv: {},
      context,
    });
  };

  beforeAll(async () => {
    pass = await startMailingPass('dlrn-notifier-', clock, ids);
    ({ smtp, store } = pass);
    reader = new BuildHistoryReader(store);
    notifier = new FailureNotifier(pass.deps);
  });
  afterAll(async () => {
    await pass?.close();
  });

  describe('when a package fails for the first time', () => {
    it('mails its maintainers and records when', async () => {
      await failAndNotify();
      expect(smtp.mails.map((m) => m.envelope.to)).toEqual([['alice@example.org']]);
      expect((await reader.catchUp()).lastMailAt(pkg.name)).toBe(T0.getTime() / 1000);
    });
  });

  describe('when it fails again ten minutes later', () => {
    it('sends nothing', async () => {
      clock.advance(10 * MINUTE);
      await failAndNotify();
      expect(smtp.mails).toHaveLength(1);
    });
  });

  describe('when it fails again 23 hours after the mail', () => {
    it('still sends nothing', async () => {
      clock.advance(23 * HOUR - 10 * MINUTE);
      await failAndNotify();
      expect(smtp.mails).toHaveLength(1);
    });
  });

  describe('when it fails again a day and a minute after the mail', () => {
    it('mails again', async () => {
      clock.advance(HOUR + MINUTE);
      await failAndNotify();
      expect(smtp.mails).toHaveLength(2);
      expect((await reader.catchUp()).lastMailAt(pkg.name)).toBe(T0.getTime() / 1000 + 24 * HOUR + MINUTE);
    });
  });

  describe('when it fails again ten minutes after that second mail', () => {
    it('sends nothing: the day counts from the last mail', async () => {
      clock.advance(10 * MINUTE);
      await failAndNotify();
      expect(smtp.mails).toHaveLength(2);
    });
  });
});

describe('failure notices that cannot go as planned', () => {
  let pass: MailingPass;
  const clock = new SteppedClock(T0);
  const ids = new UuidV7IdGenerator();
  const logged: string[] = [];
  const row = { buildId: 'build-1', repoDir: 'ab/cd/abcd_d1' };
  const notify = (notifier: FailureNotifier, options: { pkg?: PackageInfo; previousStatus?: BuildRow['status'] }) =>
    notifier.notify({
      pkg: options.pkg ?? pkg,
      row,
      previousStatus: options.previousStatus ?? 'FAILED',
      lastMailAt: null,
      buildEnv: { EXTRA: '1' },
      context,
    });

  beforeAll(async () => {
    pass = await startMailingPass('dlrn-notifier-faults-', clock, ids);
  });
  afterAll(async () => {
    await pass?.close();
  });

  describe('when the mail server refuses the mail', () => {
    it('logs why, naming the package, and records no mail (the next failure tries again)', async () => {
      const refusing = { send: async () => Promise.reject(new Error('550 mailbox unavailable')) };
      const notifier = new FailureNotifier({ ...pass.deps, mailer: refusing, log: (line) => logged.push(line) });
      await notify(notifier, {});
      expect(logged).toEqual(['  could not mail the maintainers of python-glanceclient: 550 mailbox unavailable']);
      expect(await pass.store.readAll()).toEqual([]);
    });
  });

  describe('when a package with several upstreams breaks and the review script fails', () => {
    const several: PackageInfo = { ...pkg, upstream: ['https://a.example.org/one', 'https://b.example.org/two'] };
    const requests: ReviewRequest[] = [];
    let notifier: FailureNotifier;
    beforeAll(async () => {
      logged.length = 0;
      const reviews = {
        run: async (request: ReviewRequest) => {
          requests.push(request);
          return { exitCode: 3, output: 'no Change-Id' };
        },
      };
      notifier = new FailureNotifier({ ...pass.deps, reviews, log: (line) => logged.push(line) });
    });

    it('names every upstream in the mail, gives the first and the log URL to the review script, logs and records its failure', async () => {
      await notify(notifier, { pkg: several, previousStatus: 'SUCCESS' });
      expect(pass.smtp.mails.at(-1)!.text).toContain('[1] - https://a.example.org/one https://b.example.org/two');
      expect(requests.at(-1)!.env).toEqual({
        EXTRA: '1',
        GERRIT_URL: 'https://a.example.org/one',
        GERRIT_LOG: `http://trunk.example.org/${row.repoDir}`,
        GERRIT_MAINTAINERS: 'alice@example.org',
        GERRIT_TOPIC: expect.any(String),
      });
      expect(logged).toContain('  Unable to create review see review.log (exit 3)');
      const review = (await pass.store.readAll()).find((e) => e.type === 'ReviewRequested');
      expect(review?.data).toMatchObject({ package: pkg.name, exitCode: 3, output: 'no Change-Id' });
    });
  });
});
