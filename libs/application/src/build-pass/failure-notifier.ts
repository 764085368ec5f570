import { join } from 'node:path';
import type { BuildRow } from '#domain/build/build-history.js';
import { culpritLines } from '#domain/package/culprit-mail.js';
import { failureMail } from '#domain/package/failure-mail.js';
import { mayNotify, shouldRequestReview } from '#domain/package/notification.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { packageStreamId } from '#domain/build/commit-ref.js';
import { packageDecider, type PackageCommand } from '#domain/package/package.decider.js';
import type { EventContext } from '#domain/shared/event.js';
import { commitUrl } from '#reports/repo-diff.renderer.js';
import type { BuildLoopDeps } from './build-loop.types.js';
import type { CulpritLedgerReader } from './culprit-mails.js';

/**
 * Tells people a package broke (DLRN §8): a mail to the maintainers at most once a day, and the
 * Gerrit review step for the first failure after a success. Neither can change the build result:
 * their failures are logged and the pass goes on.
 */
export class FailureNotifier {
  constructor(
    private readonly deps: BuildLoopDeps,
    /** When given, a failure mail names the culprit its bisection already found. */
    private readonly culprits: CulpritLedgerReader | null = null,
  ) {}

  async notify(options: {
    readonly pkg: PackageInfo;
    readonly row: Pick<BuildRow, 'buildId' | 'repoDir'>;
    readonly previousStatus: BuildRow['status'] | null;
    readonly lastMailAt: number | null;
    readonly buildEnv: Readonly<Record<string, string>>;
    readonly context: EventContext;
  }): Promise<void> {
    const { pkg, row, context } = options;
    const d = this.deps.config.default;
    const logUrl = `${d.baseurl?.replace(/\/$/, '') ?? ''}/${row.repoDir}`;
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    if (this.deps.mailer && pkg.maintainers.length > 0 && mayNotify(options.lastMailAt, now)) {
      const upstreamUrl = typeof pkg.upstream === 'string' ? pkg.upstream : pkg.upstream.join(' ');
      const culprit = this.culprits ? (await this.culprits.catchUp()).culpritOf(pkg.name) : null;
      const mail = failureMail({
        packageName: pkg.name,
        maintainers: pkg.maintainers,
        upstreamUrl,
        logUrl,
        distgitUrl: pkg['master-distgit'],
        ...(culprit
          ? { culpritLines: culpritLines(culprit, commitUrl(upstreamUrl.split(' ')[0] ?? null, culprit.commitHash)) }
          : {}),
      });
      try {
        await this.deps.mailer.send(mail);
        await this.record(
          {
            type: 'RecordFailureMail',
            data: {
              package: pkg.name,
              buildId: row.buildId,
              recipients: mail.recipients,
              subject: mail.subject,
              sentAt: now,
            },
          },
          context,
        );
        this.deps.log(`  mailed ${mail.recipients.join(', ')}`);
      } catch (error) {
        this.deps.log(`  could not mail the maintainers of ${pkg.name}: ${(error as Error).message}`);
      }
    }
    if (this.deps.reviews && shouldRequestReview(options.previousStatus)) {
      const result = await this.deps.reviews.run({
        packageName: pkg.name,
        outputDir: join(d.datadir, 'repos', row.repoDir),
        datadir: d.datadir,
        baseurl: d.baseurl ?? '',
        distgitDir: join(d.datadir, `${pkg.name}_distro`),
        env: {
          ...options.buildEnv,
          GERRIT_URL: typeof pkg.upstream === 'string' ? pkg.upstream : (pkg.upstream[0] ?? ''),
          GERRIT_LOG: logUrl,
          GERRIT_MAINTAINERS: pkg.maintainers.join(','),
          GERRIT_TOPIC: d.gerritTopic,
        },
      });
      if (result.exitCode !== 0) this.deps.log(`  Unable to create review see review.log (exit ${result.exitCode})`);
      await this.record(
        {
          type: 'RecordReviewRequest',
          data: {
            package: pkg.name,
            buildId: row.buildId,
            topic: d.gerritTopic,
            exitCode: result.exitCode,
            output: result.output.slice(-4000),
          },
        },
        context,
      );
    }
  }

  private async record(command: PackageCommand, context: EventContext): Promise<void> {
    await this.deps.commands.handle(packageStreamId(command.data.package), packageDecider, command, context);
  }
}
