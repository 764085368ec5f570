import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRow } from '#domain/build/build-history.js';
import type { BuildOutcome } from '#domain/build/build.commands.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { Mailer, type MailMessage } from '#domain/package/notification.ports.js';
import { recordBuild, successOutcome } from '../../../../test/support/build-commands.js';
import { startMailingPass, type MailingPass } from '../../../../test/support/mailing-pass.js';
import type { TestSmtpServer } from '../../../../test/support/smtp-server.js';
import { commitData, testEvent } from '../../../../test/support/events.js';
import { SteppedClock } from '../../../../test/support/stepped-clock.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import type { BuildLoopDeps } from './build-loop.types.js';
import { BuildHistoryReader } from './build-history.reader.js';
import { CulpritLedgerReader, CulpritMails } from './culprit-mails.js';
import { FailureNotifier } from './failure-notifier.js';

/** An SMTP server that is down: every send fails, as a refused connection would. */
class DownMailer extends Mailer {
  attempts = 0;
  async send(message: MailMessage): Promise<void> {
    void message;
    this.attempts += 1;
    throw new Error('connect ECONNREFUSED 127.0.0.1:25');
  }
}

const HOUR = 3600;
const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };
const packageInfo = (name: string): PackageInfo => ({
  name,
  project: name,
  upstream: `https://github.com/openstack/${name}`,
  'master-distgit': `https://github.com/rdo-packages/${name}-distgit.git`,
  maintainers: ['alice@example.org', 'bob@example.org'],
});

describe('culprit mails (issue 20), over SMTP and the event store', () => {
  let pass: MailingPass;
  let smtp: TestSmtpServer;
  let store: SqliteEventStore;
  let history: BuildHistoryReader;
  let deps: BuildLoopDeps;
  let culprits: CulpritLedgerReader;
  const clock = new SteppedClock(new Date('2026-03-02T08:00:00Z'));
  const ids = new UuidV7IdGenerator();
  /** What the pass logged. */
  const logged: string[] = [];

  /** A build of `commitHash` with this result, recorded as the build pass records it; failures are mailed. */
  async function build(pkg: PackageInfo, commitHash: string, status: 'SUCCESS' | 'FAILED'): Promise<string> {
    const commit = commitData({
      package: pkg.name,
      project: pkg.project,
      commitHash,
      distroHash: 'd1',
      dtCommit: Math.floor(clock.now().getTime() / 1000),
    });
    const buildId = ids.next();
    const outcome: BuildOutcome =
      status === 'FAILED'
        ? { status: 'failure', notes: 'boom', transientError: null }
        : successOutcome(pkg.name, commitHash, 'd1');
    await recordBuild(
      new DeciderCommandHandler(store, ids, clock),
      { commit, buildId, now: clock.now(), outcome },
      context,
    );
    const after = await history.catchUp();
    if (status === 'FAILED') {
      await new FailureNotifier(deps, culprits).notify({
        pkg,
        row: after.lastAttempt(pkg.name) as BuildRow,
        previousStatus: null,
        lastMailAt: after.lastMailAt(pkg.name),
        buildEnv: {},
        context,
      });
    }
    return buildId;
  }

  /** The bisection of good..bad finds `culprit`, as the bisection engine records it. */
  async function bisected(
    pkg: string,
    good: string,
    bad: string,
    badBuildId: string,
    culprit: string,
  ): Promise<string> {
    const bisectionId = ids.next();
    const end = (commitHash: string, buildId: string | null) => ({
      commitHash,
      distroHash: 'd1',
      extendedHash: null,
      buildId,
    });
    await store.append(`bisection-${pkg}@${good}_${bad}`, [
      testEvent('BisectionStarted', {
        bisectionId,
        package: pkg,
        good: end(good, null),
        bad: end(bad, badBuildId),
        candidates: [culprit, bad],
        trigger: 'auto',
      }),
      testEvent('CulpritIdentified', {
        bisectionId,
        package: pkg,
        commitHash: culprit,
        distroHash: 'd1',
        buildId: null,
        lastGoodCommitHash: good,
        steps: 1,
      }),
    ]);
    return bisectionId;
  }

  const eventsOfType = async (type: string) =>
    (await store.readAll({ maxCount: 100_000 })).filter((e) => e.type === type).map((e) => e.data);

  beforeAll(async () => {
    pass = await startMailingPass('dlrn-culprit-mail-', clock, ids, [
      packageInfo('python-nova'),
      packageInfo('python-glance'),
    ]);
    ({ smtp, store } = pass);
    deps = { ...pass.deps, log: (line) => logged.push(line) };
    history = new BuildHistoryReader(store);
    culprits = new CulpritLedgerReader(store);
  });

  afterAll(async () => {
    await pass?.close();
  });

  describe('when the culprit is found after the failure mail went', () => {
    const nova = packageInfo('python-nova');
    const [good, bad, culprit] = ['a'.repeat(40), 'c'.repeat(40), 'b'.repeat(40)];
    let bisectionId: string;

    beforeAll(async () => {
      await build(nova, good, 'SUCCESS');
      const badBuild = await build(nova, bad, 'FAILED');
      expect(smtp.mails).toHaveLength(1);
      bisectionId = await bisected(nova.name, good, bad, badBuild, culprit);
    });

    it('sends a second mail naming it to the same recipients, at the end of the pass, and logs it', async () => {
      logged.length = 0;
      await new CulpritMails(deps, culprits).sendDue(context);
      const mails = await smtp.waitForMails(2);
      const mail = mails[1]!;
      expect(mail.envelope.to).toEqual(['alice@example.org', 'bob@example.org']);
      expect(mail.headers['to']).toBe('packagers');
      expect(mail.subject).toBe(`[dlrn] python-nova culprit identified: ${culprit.slice(0, 12)}`);
      expect(mail.text).toContain(
        `the first bad commit is\n\n  ${culprit}\n  https://github.com/openstack/python-nova/commit/${culprit}`,
      );
      expect(mail.text).toContain(`The last good commit before it is ${good}.`);
      expect(mail.headers['message-id']).toBe(`<culprit-${bisectionId}@delorean.com>`);
      expect(await eventsOfType('CulpritMailQueued')).toMatchObject([{ bisectionId, commitHash: culprit }]);
      expect(await eventsOfType('CulpritNotified')).toMatchObject([
        { bisectionId, sentAt: Math.floor(clock.now().getTime() / 1000) },
      ]);
      expect(logged).toEqual([
        `  mailed the culprit of python-nova (${culprit.slice(0, 7)}) to alice@example.org, bob@example.org`,
      ]);
    });

    it('sends it once, however many passes end after it', async () => {
      await new CulpritMails(deps, culprits).sendDue(context);
      await new CulpritMails(deps, new CulpritLedgerReader(store)).sendDue(context);
      expect(smtp.mails).toHaveLength(2);
    });

    it('names the culprit in the failure mail of a later failure, outside the day window', async () => {
      clock.advance(25 * HOUR);
      await build(nova, 'd'.repeat(40), 'FAILED');
      const mails = await smtp.waitForMails(3);
      expect(mails[2]!.subject).toBe('[dlrn] python-nova master package build failed');
      expect(mails[2]!.text).toContain(`A bisection identified the first bad upstream commit: ${culprit}`);
      await new CulpritMails(deps, culprits).sendDue(context);
      expect(smtp.mails).toHaveLength(3);
    });

    it('no longer names it once the package built again', async () => {
      await build(nova, 'e'.repeat(40), 'SUCCESS');
      clock.advance(25 * HOUR);
      await build(nova, 'f'.repeat(40), 'FAILED');
      const mails = await smtp.waitForMails(4);
      expect(mails[3]!.text).not.toContain('bisection');
    });
  });

  describe('when the SMTP server is down as the culprit mail goes', () => {
    const glance = packageInfo('python-glance');
    const [good, bad, culprit] = ['1'.repeat(40), '3'.repeat(40), '2'.repeat(40)];

    it('keeps it pending (recorded, not sent) and the next pass sends it, once', async () => {
      await build(glance, good, 'SUCCESS');
      const badBuild = await build(glance, bad, 'FAILED');
      const before = smtp.mails.length;
      const bisectionId = await bisected(glance.name, good, bad, badBuild, culprit);
      const down = new DownMailer();
      logged.length = 0;
      await new CulpritMails({ ...deps, mailer: down }, culprits).sendDue(context);
      expect(down.attempts).toBe(1);
      expect(logged).toEqual(['  could not mail the culprit of python-glance: connect ECONNREFUSED 127.0.0.1:25']);
      expect(await eventsOfType('CulpritMailQueued')).toContainEqual(expect.objectContaining({ bisectionId }));
      expect(await eventsOfType('CulpritNotified')).not.toContainEqual(expect.objectContaining({ bisectionId }));

      // The next pass (a new process: nothing in memory) finds it pending and sends it.
      await new CulpritMails(deps, new CulpritLedgerReader(store)).sendDue(context);
      await new CulpritMails(deps, new CulpritLedgerReader(store)).sendDue(context);
      const sent = smtp.mails.slice(before).filter((m) => m.subject.includes('culprit identified'));
      expect(sent.map((m) => m.subject)).toEqual([`[dlrn] python-glance culprit identified: ${culprit.slice(0, 12)}`]);
      // Its own package's upstream (python-nova is listed first).
      expect(sent[0]!.text).toContain(`https://github.com/openstack/python-glance/commit/${culprit}`);
      expect(await eventsOfType('CulpritMailQueued')).toHaveLength(2);
    });
  });
});
