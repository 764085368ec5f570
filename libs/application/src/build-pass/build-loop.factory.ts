import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { NodemailerMailer } from '#infrastructure/mail/nodemailer.mailer.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { CommandReviewRunner } from '#infrastructure/review/command.review-runner.js';
import { createBuildDriver } from '#infrastructure/rpm/build-driver.factory.js';
import { RpmBuildPipeline } from '#infrastructure/rpm/rpm-build.pipeline.js';
import type { BuildLoopDeps } from './build-loop.types.js';
import { claimHolder } from './claim-holder.js';

/**
 * Wires the build loop on real adapters from the configuration: git (through execFile), the RPM pipeline
 * with the configured driver, the file-system publisher, SMTP when `smtpserver` is set and the
 * review script when `gerrit` is set.
 */
export function createBuildLoopDeps(options: {
  readonly config: DlrnConfig;
  readonly packages: readonly PackageInfo[];
  readonly store: EventStore;
  readonly log: (line: string) => void;
  readonly leaseMs?: number;
}): BuildLoopDeps {
  const { config } = options;
  const d = config.default;
  const ids = new UuidV7IdGenerator();
  const clock = new SystemClock();
  const driver = createBuildDriver(d.buildDriver, {
    mock: {
      datadir: d.datadir,
      configdir: d.configdir ?? d.scriptsdir,
      target: d.target ?? '',
      reponame: d.reponame ?? 'delorean',
      baseurl: d.baseurl ?? null,
      depsUrl: d.depsUrl ?? null,
      installAfterBuild: config.mockbuildDriver.installAfterBuild,
    },
    koji: {
      ...config.kojibuildDriver,
      buildTarget: config.kojibuildDriver.buildTarget ?? '',
    },
    copr: { coprid: config.coprbuildDriver.coprid ?? '' },
  });
  const mailer = d.smtpserver ? new NodemailerMailer(d.smtpserver) : null;
  return {
    config,
    packages: options.packages,
    store: options.store,
    commands: new DeciderCommandHandler(options.store, ids, clock),
    git: new GitCliRepositories(),
    rpm: new RpmBuildPipeline(driver),
    publisher: new FsRepoPublisher(),
    mailer,
    reviews:
      d.gerrit !== null && d.gerrit !== undefined
        ? new CommandReviewRunner({ scriptsDir: d.scriptsdir, baseEnv: process.env })
        : null,
    clock,
    ids,
    builderId: claimHolder(config.service.builderId),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    log: options.log,
    close: async () => mailer?.close(),
  };
}
