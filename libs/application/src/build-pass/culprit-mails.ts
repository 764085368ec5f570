import { CULPRIT_MAIL_EVENT_TYPES, CulpritMailLedger, culpritMail } from '#domain/package/culprit-mail.js';
import { packageStreamId } from '#domain/build/commit-ref.js';
import { packageDecider, type PackageCommand } from '#domain/package/package.decider.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventContext } from '#domain/shared/event.js';
import { commitUrl } from '#reports/repo-diff.renderer.js';
import type { BuildLoopDeps } from './build-loop.types.js';

const PAGE = 5000;

/** Keeps a CulpritMailLedger up to date with the store: reads only its event types, from its checkpoint. */
export class CulpritLedgerReader {
  readonly ledger = new CulpritMailLedger();

  constructor(private readonly store: EventStore) {}

  async catchUp(): Promise<CulpritMailLedger> {
    for (;;) {
      const events = await this.store.readAll({
        after: this.ledger.checkpoint,
        maxCount: PAGE,
        filter: { streamPrefixes: ['build-', 'package-', 'bisection-'], eventTypes: CULPRIT_MAIL_EVENT_TYPES },
      });
      for (const event of events) this.ledger.apply(event);
      if (events.length < PAGE) return this.ledger;
    }
  }
}

/**
 * The "culprit identified" mails (issue 20), sent at the end of a pass: a culprit found after the
 * failure mail of its breakage went out gets a second mail to the same recipients, not throttled
 * by the failure-mail window, once per bisection. Log first: `CulpritMailQueued` is recorded
 * before the mail is sent and `CulpritNotified` once the SMTP server accepted it, so a pass that
 * crashes in between leaves the mail pending for the next pass, which sends it (never lost). A
 * crash after the server accepted it and before the second record sends it again, with the same
 * Message-ID: the one window no SMTP client can close.
 */
export class CulpritMails {
  constructor(
    private readonly deps: BuildLoopDeps,
    private readonly reader: CulpritLedgerReader,
  ) {}

  async sendDue(context: EventContext): Promise<void> {
    const { mailer } = this.deps;
    if (mailer === null) return;
    const ledger = await this.reader.catchUp();
    for (const due of ledger.due()) {
      const pkg = this.deps.packages.find((p) => p.name === due.package);
      const upstream = pkg ? (typeof pkg.upstream === 'string' ? pkg.upstream : pkg.upstream.join(' ')) : '';
      const mail = culpritMail({
        packageName: due.package,
        recipients: due.recipients,
        culprit: due,
        commitUrl: commitUrl(upstream.split(' ')[0] ?? null, due.commitHash),
        upstreamUrl: upstream,
      });
      await this.record(
        {
          type: 'QueueCulpritMail',
          data: {
            package: due.package,
            bisectionId: due.bisectionId,
            commitHash: due.commitHash,
            recipients: mail.recipients,
            subject: mail.subject,
            messageId: mail.messageId!,
            text: mail.text,
          },
        },
        context,
      );
    }
    for (const queued of (await this.reader.catchUp()).pending()) {
      try {
        await mailer.send({
          from: 'no-reply@delorean.com',
          recipients: queued.recipients,
          toHeader: 'packagers',
          subject: queued.subject,
          text: queued.text,
          messageId: queued.messageId,
        });
      } catch (error) {
        // Stays pending: the next pass tries again.
        this.deps.log(`  could not mail the culprit of ${queued.package}: ${(error as Error).message}`);
        continue;
      }
      const sentAt = Math.floor(this.deps.clock.now().getTime() / 1000);
      await this.record(
        {
          type: 'RecordCulpritMail',
          data: { package: queued.package, bisectionId: queued.bisectionId, messageId: queued.messageId, sentAt },
        },
        context,
      );
      this.deps.log(
        `  mailed the culprit of ${queued.package} (${queued.commitHash.slice(0, 7)}) to ${queued.recipients.join(', ')}`,
      );
    }
  }

  private async record(command: PackageCommand, context: EventContext): Promise<void> {
    await this.deps.commands.handle(packageStreamId(command.data.package), packageDecider, command, context);
  }
}
