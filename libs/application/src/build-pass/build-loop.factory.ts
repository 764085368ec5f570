import { resolve } from 'node:path';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { PackageSource } from '#domain/package/package-source.ports.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { GitCliRepositories } from '#infrastructure/git/git-cli.repositories.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { NodemailerMailer } from '#infrastructure/mail/nodemailer.mailer.js';
import { askCentralToImport } from '#infrastructure/net/central-api.client.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';
import { CommandReviewRunner } from '#infrastructure/review/command.review-runner.js';
import { createBuildDriver, type BuildDriverFactoryOptions } from '#infrastructure/rpm/build-driver.factory.js';
import { RpmBuildPipeline } from '#infrastructure/rpm/rpm-build.pipeline.js';
import { mockConfigPath } from '#infrastructure/rpm/mock-config.assembler.js';
import { CustomPreprocess, type CustomPreprocessOptions } from '#infrastructure/preprocess/custom-preprocess.js';
import { RsyncReplicator, type RsyncReplicatorOptions } from '#infrastructure/rsync/rsync.replicator.js';
import { UrlSourceFetcher } from '#infrastructure/sources/url-sources.fetcher.js';
import type { BuildLoopDeps } from './build-loop.types.js';
import { CentralPublisher } from '../remote-publish/central-publisher.js';
import { claimHolder } from './claim-holder.js';
import { TrackedPackageSource } from './pass-packages.js';

/**
 * Wires the build loop on real adapters from the configuration: git (through execFile), the RPM pipeline
 * with the configured driver, the file-system publisher, SMTP when `smtpserver` is set and the
 * review script when `gerrit` is set.
 */
export function createBuildLoopDeps(options: {
  readonly config: DlrnConfig;
  readonly packages: readonly PackageInfo[];
  /** Asked at the start of each pass; `packages` then follows its answer. */
  readonly packageSource?: PackageSource | null;
  readonly store: EventStore;
  readonly log: BuildLoopDeps['log'];
  readonly leaseMs?: number;
  /** `--info-repo`: DLRN_DISTROINFO_REPO for the `custom_preprocess` hooks. */
  readonly infoRepo?: string;
  /** `--use-public` or `--dev`: the public current repo in mock's configuration. */
  readonly usePublic?: boolean;
}): BuildLoopDeps {
  const { config } = options;
  const d = config.default;
  const ids = new UuidV7IdGenerator();
  const clock = new SystemClock();
  const driver = createBuildDriver(d.buildDriver, buildDriverOptions(config, options.usePublic));
  const mailer = d.smtpserver ? new NodemailerMailer(d.smtpserver) : null;
  let packages = options.packages;
  const source = options.packageSource ?? null;
  return {
    config,
    get packages() {
      return packages;
    },
    packageSource: source && new TrackedPackageSource(source, (listed) => (packages = listed.packages)),
    store: options.store,
    commands: new DeciderCommandHandler(options.store, ids, clock),
    git: new GitCliRepositories({ timeoutMs: config.service.gitTimeout * 1000 }),
    rpm: new RpmBuildPipeline(driver, {
      preprocess: new CustomPreprocess(preprocessOptions(config, process.env.USER ?? null, options.infoRepo)),
      mockConfig: (workerId) => mockConfigOf(config, workerId),
      urlSources: new UrlSourceFetcher({ allowedHosts: config.service.sourceDownloadAllowedHosts }),
    }),
    replicator: replicatorOf(config),
    publisher: new FsRepoPublisher(),
    central: centralPublisher(config, options.store, new DeciderCommandHandler(options.store, ids, clock), options.log),
    mailer,
    reviews: d.gerrit !== null ? new CommandReviewRunner({ scriptsDir: d.scriptsdir, baseEnv: process.env }) : null,
    clock,
    ids,
    builderId: claimHolder(config.service.builderId),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    log: options.log,
    close: async () => mailer?.close(),
  };
}

/** `rsyncdest`'s mirror, null when unset. */
function replicatorOf(config: DlrnConfig): RsyncReplicator | null {
  const options = replicatorOptions(config);
  return options && new RsyncReplicator(options);
}

/** The mirror's options from projects.ini (`rsyncdest`, `rsyncport`…); null when `rsyncdest` is unset. */
export function replicatorOptions(config: DlrnConfig): RsyncReplicatorOptions | null {
  const d = config.default;
  if (d.rsyncdest === '') return null;
  return {
    datadir: d.datadir,
    destination: d.rsyncdest,
    port: d.rsyncport,
    knownHosts: d.rsyncKnownHosts,
    reponame: d.reponame ?? 'delorean',
    useComponents: d.useComponents,
  };
}

/** The build driver's options from projects.ini; `usePublic` is `--use-public` or `--dev` (off unless given). */
export function buildDriverOptions(config: DlrnConfig, usePublic = false): BuildDriverFactoryOptions {
  const d = config.default;
  return {
    mock: {
      datadir: d.datadir,
      configdir: d.configdir,
      target: d.target ?? '',
      reponame: d.reponame ?? 'delorean',
      baseurl: d.baseurl,
      depsUrl: d.depsUrl,
      installAfterBuild: config.mockbuildDriver.installAfterBuild,
      usePublic,
    },
    koji: {
      ...config.kojibuildDriver,
      buildTarget: config.kojibuildDriver.buildTarget ?? '',
      datadir: d.datadir,
      downstream:
        d.pkginfoDriverName === 'downstream' ? { useUpstreamSpec: config.downstreamDriver.useUpstreamSpec } : null,
    },
    copr: { coprid: config.coprbuildDriver.coprid ?? '' },
  };
}

/** The `custom_preprocess` hooks' options: `user` is the builder's USER, `infoRepo` `--info-repo`. */
export function preprocessOptions(
  config: DlrnConfig,
  user: string | null,
  infoRepo: string | undefined,
): CustomPreprocessOptions {
  const d = config.default;
  return {
    commands: d.customPreprocess,
    user,
    distroinfoRepo: distroinfoRepo(config, infoRepo),
    downstreamDatadir: d.pkginfoDriverName === 'downstream' ? resolve(d.datadir) : null,
  };
}

/** The mock configuration a build worker uses (`<datadir>/dlrn-<worker>.cfg`): mock driver only. */
export function mockConfigOf(config: DlrnConfig, workerId: number): string | null {
  const d = config.default;
  return d.buildDriverName === 'mock' ? mockConfigPath(d.datadir, workerId) : null;
}

/**
 * DLRN_DISTROINFO_REPO as DLRN's rdoinfo and downstream drivers set it: the first info file in
 * the info repository (`--info-repo`, else `[<driver>] repo`); null for the other drivers.
 */
function distroinfoRepo(config: DlrnConfig, infoRepo: string | undefined): string | null {
  const driver = config.default.pkginfoDriverName;
  if (driver !== 'rdoinfo' && driver !== 'downstream') return null;
  const section = driver === 'rdoinfo' ? config.rdoinfoDriver : config.downstreamDriver;
  const repo = infoRepo ?? section.repo;
  const first = section.infoFiles[0];
  if (!repo || first === undefined) return null;
  return `${repo.replace(/\/+$/, '')}/${first}`;
}

/** How long the central service may take to import one build (it downloads and verifies it). */
const PUBLISH_TIMEOUT_MS = 30 * 60 * 1000;

/** `[service] publish_to`: null when unset (the configuration checked the keys it needs). */
function centralPublisher(
  config: DlrnConfig,
  store: EventStore,
  commands: DeciderCommandHandler,
  log: (line: string) => void,
): CentralPublisher | null {
  const { publishTo, publishUsername, publishPassword } = config.service;
  if (publishTo === '' || config.default.baseurl === null) return null;
  const credentials = { username: publishUsername, password: publishPassword };
  return new CentralPublisher({
    store,
    commands,
    target: publishTo,
    baseurl: config.default.baseurl,
    ask: (repoUrl) => askCentralToImport(publishTo, credentials, repoUrl, PUBLISH_TIMEOUT_MS),
    log,
  });
}
