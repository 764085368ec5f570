import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { RpmBuilder, RpmBuildError, type RpmBuildOutput, type RpmBuildRequest } from '#domain/build/build.ports.js';
import { commitRef, packageName } from '#domain/build/commit-ref.js';
import { checkedUpstreamVersion, releaseDate, releaseString, rpmVersion } from '#domain/build/release.js';
import { rpmUpstreamVersion } from '#domain/build/rpm-values.js';
import { expandMacros, parseSpecBasics, rewriteSpec, setupDirectory } from '#domain/build/spec-rewrite.js';
import { settleAll } from '#domain/shared/settle.js';
import type { CustomPreprocess } from '../preprocess/custom-preprocess.js';
import type { BuildDriver } from './build-driver.js';
import { BuildLog } from './build-log.js';
import { makeBuildTempDir, sweepStaleBuildDirs } from './build-temp-dirs.js';
import type { ChildEnv } from './command.runner.js';
import { copyDistgitSources, findSpecFile, specDirectory } from './distgit-sources.js';
import { SourceTreeReader } from './source-tree.reader.js';
import { UrlSourceFetcher } from '../sources/url-sources.fetcher.js';
import { UpstreamPackager } from '../sources/upstream-packager.js';

export interface RpmBuildPipelineOptions {
  /**
   * Environment the build commands start from (PATH, HOME, proxies); default this process's,
   * since rpmbuild and mock need the host's. DLRN's variables and `--build-env` go on top.
   */
  readonly baseEnv?: ChildEnv;
  /** Any single command (git, rpmbuild, mock) running longer is killed; default 2 hours. */
  readonly commandTimeoutMs?: number;
  /** Where verbose builds echo their log; default standard error. */
  readonly echo?: (text: string) => void;
  /** Parent of the per-build `_topdir`; default the system temporary directory. */
  readonly tmpDir?: string;
  readonly gitCommand?: string;
  /** `custom_preprocess` hooks, run in the dist-git before the spec is read. */
  readonly preprocess?: CustomPreprocess;
  /** MOCK_CONFIG for the hooks: the worker's mock configuration, when the driver has one. */
  readonly mockConfig?: (workerId: number) => string | null;
  /** spectool's downloads of URL sources; default: public addresses only. */
  readonly urlSources?: UrlSourceFetcher;
  /** Python (sdist) and gem upstreams; default the host's python3, ruby and gem. */
  readonly upstreamPackager?: UpstreamPackager;
}

interface BuildContext {
  readonly request: RpmBuildRequest;
  readonly env: ChildEnv;
  readonly log: BuildLog;
  readonly topdir: string;
  readonly timeoutMs: number;
}

const TWO_HOURS = 2 * 60 * 60 * 1000;

/**
 * DLRN's build of one commit (build_rpm_wrapper → build_srpm.sh → build driver) on any host:
 * version from the commit's tags (refused unless RPM's grammar allows it: nothing from upstream
 * reaches the spec unchecked), `git archive` tarball of exactly that commit, DLRN's spec
 * rewrite, the source RPM and the binary RPMs, both built by the configured driver (inside the
 * chroot with mock). Everything is logged to `<outputDir>/rpmbuild.log`; failures become
 * RpmBuildError with DLRN's texts.
 */
export class RpmBuildPipeline extends RpmBuilder {
  /** Once per pipeline (one per pass): the sweep of directories left by dead builders. */
  private swept: Promise<string[]> | null = null;

  constructor(
    private readonly driver: BuildDriver,
    private readonly options: RpmBuildPipelineOptions = {},
  ) {
    super();
  }

  override async build(request: RpmBuildRequest): Promise<RpmBuildOutput> {
    const pkg = request.packageName;
    // Refused before anything is written: both end up in paths and command lines.
    try {
      packageName(pkg);
      commitRef(request.commitHash, request.commitHash);
    } catch (error) {
      throw new RpmBuildError(`Error in build_rpm_wrapper for ${pkg}: ${(error as Error).message}`);
    }
    await mkdir(request.outputDir, { recursive: true });
    const echo = request.verbose ? (this.options.echo ?? ((text: string) => process.stderr.write(text))) : null;
    const log = BuildLog.open(join(request.outputDir, 'rpmbuild.log'), echo);
    const tmpDir = this.options.tmpDir ?? tmpdir();
    if (this.swept === null) {
      this.swept = sweepStaleBuildDirs(tmpDir);
      for (const path of await this.swept) log.line(`removed ${path}, left by a builder that is gone`);
    }
    const topdir = await makeBuildTempDir(tmpDir, 'srpm');
    try {
      try {
        const context: BuildContext = {
          request,
          env: this.environment(request),
          log,
          topdir,
          timeoutMs: this.options.commandTimeoutMs ?? TWO_HOURS,
        };
        await this.preprocess(context);
        const srpm = await this.buildSrpm(context);
        await copyFile(join(topdir, 'SRPMS', srpm), join(request.outputDir, srpm));
        await this.driver.build({
          packageName: pkg,
          srpmPath: join(request.outputDir, srpm),
          outputDir: request.outputDir,
          dist: request.dist,
          workerId: request.workerId,
          additionalOptions: request.additionalOptions,
          env: context.env,
          log,
          commandTimeoutMs: context.timeoutMs,
          ...(request.followedCommit
            ? {
                followedCommit: {
                  ...request.followedCommit,
                  commitHash: request.commitHash,
                  distgitDir: request.distgitDir,
                },
              }
            : {}),
        });
      } catch (error) {
        const notes = `Error in build_rpm_wrapper for ${pkg}: ${(error as Error).message}`;
        log.line(notes);
        throw new RpmBuildError(notes);
      }
      return await this.result(request);
    } finally {
      log.close();
      await rm(topdir, { recursive: true, force: true });
    }
  }

  /** DLRN's `pkginfo.preprocess`: the hooks see only DLRN's own variables, never `env`'s. */
  private async preprocess(context: BuildContext): Promise<void> {
    const hooks = this.options.preprocess;
    if (!hooks?.enabled) return;
    const { request } = context;
    await hooks.run({
      packageName: request.packageName,
      distgitDir: specDirectory(request.distgitDir, request.distgitPath),
      sourceDir: request.sourceDir,
      commitHash: request.commitHash,
      releaseDate: releaseDate(request.dtBuild),
      releaseNumbering: request.releaseNumbering,
      releaseMinor: request.releaseMinor,
      mockConfig: this.options.mockConfig?.(request.workerId) ?? null,
      upstreamDistgitDir: specDirectory(`${request.distgitDir}_upstream`, request.distgitPath),
      log: context.log,
    });
  }

  /** build_rpm_wrapper's variables, then `--build-env`; SOURCE_DATE_EPOCH pins file times. */
  private environment(request: RpmBuildRequest): ChildEnv {
    return {
      ...(this.options.baseEnv ?? process.env),
      RELEASE_NUMBERING: request.releaseNumbering,
      RELEASE_MINOR: request.releaseMinor,
      RELEASE_DATE: releaseDate(request.dtBuild),
      DLRN_SOURCE_COMMIT: request.commitHash,
      SOURCE_DATE_EPOCH: String(Math.floor(request.dtBuild)),
      ...request.env,
    };
  }

  /** Tarball, rewritten spec and dist-git files in a fresh `_topdir`, then the driver's source RPM. */
  private async buildSrpm(context: BuildContext): Promise<string> {
    const { request, log, topdir, env } = context;
    const dir = specDirectory(request.distgitDir, request.distgitPath);
    const specName = await findSpecFile(dir);
    const specText = await readFile(join(dir, specName), 'utf8');
    const basics = parseSpecBasics(specText);
    const tree = new SourceTreeReader(request.sourceDir, {
      env,
      timeoutMs: context.timeoutMs,
      log,
      ...(this.options.gitCommand ? { git: this.options.gitCommand } : {}),
    });
    // The DLRN_KEEP_* switches come from the build's own variables, never from the builder's.
    const flags = request.env;
    const keepAsIs = Boolean(flags.DLRN_KEEP_SPEC_AS_IS);
    const keepVersion = flags.DLRN_KEEP_VERSION === '1';
    // Independent steps run together: each git query is a process of its own.
    const commit = request.commitHash;
    const [inspected, tags] = await settleAll([
      // The local driver's commit is `<name>-<version>`, not in any clone: nothing to inspect.
      keepAsIs ? Promise.resolve({ hasFile: false }) : tree.inspectCommit(commit, 'metadata.json'),
      keepAsIs || keepVersion ? Promise.resolve(null) : tree.describeTags(commit, request.versionFrom ?? null),
      (async () => {
        for (const sub of ['SOURCES', 'SPECS', 'SRPMS']) await mkdir(join(topdir, sub));
        await copyDistgitSources(dir, join(topdir, 'SOURCES'), (path) =>
          log.line(`WARNING: skipping ${path}: it links outside the dist-git`),
        );
      })(),
    ] as const);

    let spec = specText;
    // DLRN_KEEP_SPEC_AS_IS (local driver): no tarball, no rewrite; the spec brings its sources.
    if (!keepAsIs) {
      // build_srpm.sh's python (setup.py) and gem upstreams: their code runs where builds do.
      const sandboxed = !this.driver.parsesSpecOnHost();
      const packaged = await (
        this.options.upstreamPackager ?? new UpstreamPackager({ git: this.options.gitCommand })
      ).open({
        sourceDir: request.sourceDir,
        commit,
        workDir: topdir,
        env,
        log,
        timeoutMs: context.timeoutMs,
        versionFrom: request.versionFrom ?? null,
        ...(sandboxed
          ? {
              sandbox: (copy: string) =>
                this.driver.upstreamChroot(
                  {
                    workerId: request.workerId,
                    resultDir: request.outputDir,
                    env,
                    log,
                    commandTimeoutMs: context.timeoutMs,
                  },
                  copy,
                ),
            }
          : {}),
      });
      // Checked here, where its origin is known, so that the note names the tag or the file.
      const upstreamVersion =
        packaged !== null && !keepVersion
          ? await packaged.version()
          : tags
            ? checkedUpstreamVersion({
                fileVersion: inspected.hasFile ? await this.puppetVersion(tree, commit) : null,
                ...tags,
              })
            : rpmUpstreamVersion(
                expandMacros(basics.version, basics.macros),
                `the spec's Version ${JSON.stringify(basics.version)}`,
              );
      const release = releaseString({
        numbering: request.releaseNumbering,
        dtBuild: request.dtBuild,
        commitHash: request.commitHash,
        minor: request.releaseMinor,
      });
      const keepTarball = flags.DLRN_KEEP_TARBALL === '1';
      const made = packaged !== null && !keepTarball ? await packaged.make(release, join(topdir, 'SOURCES')) : null;
      const tarballBase = made?.dlrnNvr ?? `${request.packageName}-${upstreamVersion}-${release}`;
      spec = rewriteSpec(specText, {
        upstreamVersion,
        version: keepVersion ? null : rpmVersion(upstreamVersion),
        release,
        dlrnNvr: tarballBase,
        tarball: keepTarball ? null : (made?.tarball ?? `${tarballBase}.tar.gz`),
        keepChangelog: request.keepChangelog || flags.DLRN_KEEP_CHANGELOG === '1',
      });
      if (!keepTarball && made === null) {
        // The top directory is whatever %setup will cd into; DLRN's own name otherwise.
        const top = setupDirectory(parseSpecBasics(spec)) ?? `${request.packageName}-${upstreamVersion}`;
        await tree.archive(commit, top, join(topdir, 'SOURCES', `${tarballBase}.tar.gz`));
      }
    }
    const specPath = join(topdir, 'SPECS', specName);
    await writeFile(specPath, spec);
    log.line(`+ cat ${specName}`);
    log.write(spec);
    // build_srpm.sh's `spectool -g`: URL sources not in the dist-git, also with DLRN_KEEP_SPEC_AS_IS.
    await (this.options.urlSources ?? new UrlSourceFetcher({ allowedHosts: [] })).fetch({
      specPath,
      sourcesDir: join(topdir, 'SOURCES'),
      topdir,
      dist: request.dist,
      parseOnHost: this.driver.parsesSpecOnHost(),
      env,
      log,
      timeoutMs: context.timeoutMs,
    });

    const resultDir = join(topdir, 'SRPMS');
    await this.driver.buildSrpm({
      packageName: request.packageName,
      specPath,
      sourcesDir: join(topdir, 'SOURCES'),
      topdir,
      resultDir,
      dist: request.dist,
      workerId: request.workerId,
      env,
      log,
      commandTimeoutMs: context.timeoutMs,
    });
    const srpms = (await readdir(resultDir)).filter((name) => name.endsWith('.src.rpm'));
    if (srpms.length !== 1)
      throw new Error(`the ${this.driver.name} driver left ${srpms.length} source RPMs instead of one`);
    return srpms[0]!;
  }

  /** Puppet modules carry their version in metadata.json, which DLRN prefers to tags. */
  private async puppetVersion(tree: SourceTreeReader, commit: string): Promise<string | null> {
    const text = await tree.fileAt(commit, 'metadata.json');
    try {
      const version: unknown = text === null ? null : (JSON.parse(text) as { version?: unknown }).version;
      return typeof version === 'string' ? version : null;
    } catch {
      return null; // not JSON: DLRN's python one-liner fails too, and the tags decide
    }
  }

  /** DLRN's success rule: at least one `*.rpm`, then the `installed` marker. */
  private async result(request: RpmBuildRequest): Promise<RpmBuildOutput> {
    const files = await readdir(request.outputDir);
    const rpms = files.filter((name) => name.endsWith('.rpm'));
    if (rpms.length === 0) throw new RpmBuildError(`No rpms built for ${request.packageName}`);
    const installed = await stat(join(request.outputDir, 'installed')).catch(() => null);
    if (!installed?.isFile()) throw new RpmBuildError(`Error installing ${request.packageName}`);
    const srpm = rpms.find((name) => name.endsWith('.src.rpm'));
    return { rpms, nvr: srpm === undefined ? '' : basename(srpm, '.src.rpm') };
  }
}
