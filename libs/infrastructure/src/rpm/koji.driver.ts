import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BuildDriver, type BuildDriverRequest, type SrpmBuildRequest } from './build-driver.js';
import {
  appendLogs,
  cancelAfterTimeout,
  CANCEL_TIMEOUT_MS,
  clientArgumentProblem,
  clientProgramProblem,
  findCreatedId,
  runFarmCommand,
} from './build-farm.client.js';
import { runChecked } from './command.runner.js';
import { buildWithRhpkg, importWithRhpkg, rhpkgLogs, type RhpkgOptions } from './rhpkg.flow.js';
import { kojiMockOverrideProblems, rewriteKojiMockConfig } from './koji-mock-config.js';
import { mockConfigPath, writeMockConfigIfChanged } from './mock-config.assembler.js';
import { mockBuildSrpm } from './mock.driver.js';
import { RpmbuildBuildDriver, type RpmbuildDriverOptions } from './rpmbuild.driver.js';

/** `[kojibuild_driver]` as the koji driver uses it. */
export interface KojiBuildDriverOptions {
  /** `koji_exe`: `koji`, `brew`, `cbs`… on the build's PATH, or an absolute path. */
  readonly kojiExe: string;
  readonly krbPrincipal: string | null;
  readonly krbKeytab: string | null;
  readonly scratchBuild: boolean;
  readonly buildTarget: string;
  readonly additionalKojiTags: readonly string[];
  /** The source RPM is built on this host, as the rpmbuild driver builds it. */
  readonly rpmbuild?: RpmbuildDriverOptions;
  readonly cancelTimeoutMs?: number;
  /**
   * `fetch_mock_config`: the source RPM is built in mock (`mock --buildsrpm`), in the
   * configuration `<koji_exe> mock-config` gives for the target and `arch`, with the
   * `mock_base_packages` and `mock_package_manager` overrides, written to `<datadir>/dlrn-<worker>.cfg`.
   */
  readonly fetchMockConfig?: boolean;
  readonly arch?: string;
  readonly mockBasePackages?: string;
  readonly mockPackageManager?: string;
  /** Required with fetchMockConfig and useRhpkg. */
  readonly datadir?: string;
  /**
   * `use_rhpkg`: import and commit the source RPM into the dist-git with rhpkg and build that
   * commit (`rhpkg build`), each rhpkg command limited to `rhpkg_timeout` seconds.
   */
  readonly useRhpkg?: boolean;
  readonly rhpkgTimeout?: number;
  /** `pkginfo_driver=downstream` (with its `use_upstream_spec`): rhpkg rewrites the extended hash. */
  readonly downstream?: { readonly useUpstreamSpec: boolean } | null;
  /** The mock program; default `mock` from the build environment's PATH. */
  readonly mockCommand?: string;
}

/** DLRN's text when `koji build` printed no task id. */
export const NO_TASK_ID_MESSAGE = 'Failed to find task id for the koji build';

/** A `[kojibuild_driver]` key and what is wrong with its value. */
export interface KojiOptionProblem {
  readonly key: string;
  readonly reason: string;
}

/** Every problem of the koji options (empty when they are usable). */
export function kojiOptionProblems(options: KojiBuildDriverOptions): KojiOptionProblem[] {
  const problems: KojiOptionProblem[] = [];
  const check = (key: string, reason: string | null) => {
    if (reason !== null) problems.push({ key, reason });
  };
  check('koji_exe', clientProgramProblem(options.kojiExe));
  check('build_target', clientArgumentProblem(options.buildTarget));
  if (options.krbPrincipal !== null) {
    check('krb_principal', clientArgumentProblem(options.krbPrincipal));
    if (options.krbKeytab === null) check('krb_keytab', 'is required when krb_principal is set');
    else check('krb_keytab', clientArgumentProblem(options.krbKeytab));
  }
  for (const tag of options.additionalKojiTags) check('additional_koji_tags', clientArgumentProblem(tag));
  if (options.useRhpkg) {
    // The rhpkg flow always logs in with kinit: no ticket, no import.
    if (options.krbPrincipal === null) check('krb_principal', 'is required when use_rhpkg is true (kinit)');
    if (options.krbKeytab === null) check('krb_keytab', 'is required when use_rhpkg is true (kinit)');
    if (!options.datadir) check('use_rhpkg', 'needs the datadir, where the dist-git is');
  }
  if (options.fetchMockConfig) {
    check('arch', clientArgumentProblem(options.arch ?? ''));
    problems.push(...kojiMockOverrideProblems(mockOverrides(options)));
    if (!options.datadir) check('fetch_mock_config', 'needs the datadir to write the mock configuration in');
  }
  return problems;
}

function mockOverrides(options: KojiBuildDriverOptions) {
  return { basePackages: options.mockBasePackages ?? '', packageManager: options.mockPackageManager ?? '' };
}

/**
 * Build driver `koji` (dlrn/drivers/kojidriver.py): the source RPM, built here,
 * goes to `<koji_exe> [--principal P --keytab K] build --wait [--scratch] <target> <srpm>`
 * (output in `kojibuild.log`); the task id comes from its `Created task: N` line; each
 * `additional_koji_tags` entry is applied with `tag-build` (`additional_tags.log`), and
 * `download-task --logs N` fetches the RPMs and the task's logs into the output directory
 * (`build_download.log`). A build that outlives the command timeout is killed and its task
 * cancelled. The client logs and the task's logs are appended to rpmbuild.log, where a transient
 * error (a mirror down on the builder) makes the build a RETRY as with mock.
 */
export class KojiBuildDriver extends BuildDriver {
  readonly name = 'koji';
  private readonly srpmBuilder: RpmbuildBuildDriver;

  constructor(private readonly options: KojiBuildDriverOptions) {
    super();
    const problems = kojiOptionProblems(options);
    if (problems.length > 0)
      throw new Error(`[kojibuild_driver] ${problems.map((p) => `${p.key} ${p.reason}`).join('; ')}`);
    this.srpmBuilder = new RpmbuildBuildDriver(options.rpmbuild);
  }

  /** With fetch_mock_config the spec is parsed in mock's chroot. */
  override parsesSpecOnHost(): boolean {
    return !this.options.fetchMockConfig;
  }

  override async buildSrpm(request: SrpmBuildRequest): Promise<void> {
    if (!this.options.fetchMockConfig) return this.srpmBuilder.buildSrpm(request);
    const config = await this.fetchMockConfig(request);
    await mockBuildSrpm(this.options.mockCommand ?? 'mock', config, request);
  }

  /**
   * `<koji_exe> mock-config --arch A --target T -o <file>`, rewritten (kojidriver.py's
   * write_mock_config) into `<datadir>/dlrn-<worker>.cfg`, left untouched when unchanged so
   * that mock keeps its cache.
   */
  async fetchMockConfig(request: SrpmBuildRequest): Promise<string> {
    const exe = this.options.kojiExe;
    const datadir = this.options.datadir ?? '';
    const fetched = join(datadir, `dlrn-${request.workerId}.cfg.koji-${process.pid}`);
    const args = [
      'mock-config',
      '--arch',
      this.options.arch ?? '',
      '--target',
      this.options.buildTarget,
      '-o',
      fetched,
    ];
    request.log.command(exe, args);
    try {
      await runChecked(exe, args, {
        env: request.env,
        timeoutMs: request.commandTimeoutMs,
        output: (chunk) => request.log.write(chunk),
        label: `${basename(exe)} mock-config`,
      });
      const text = await readFile(fetched, 'utf8').catch((error: unknown) => {
        throw new Error(`${basename(exe)} mock-config wrote no configuration: ${(error as Error).message}`);
      });
      const path = mockConfigPath(datadir, request.workerId);
      await writeMockConfigIfChanged(path, rewriteKojiMockConfig(text, request.workerId, mockOverrides(this.options)));
      return path;
    } finally {
      await rm(fetched, { force: true });
    }
  }

  /** `--principal P --keytab K` before the subcommand, for every call that needs a login. */
  private auth(): string[] {
    const { krbPrincipal, krbKeytab } = this.options;
    return krbPrincipal !== null && krbKeytab !== null ? ['--principal', krbPrincipal, '--keytab', krbKeytab] : [];
  }

  /** `use_rhpkg`: the rhpkg flow's options, or null for `<koji_exe> build`. */
  private rhpkg(): RhpkgOptions | null {
    const { useRhpkg, datadir, rhpkgTimeout, downstream } = this.options;
    if (!useRhpkg) return null;
    return { timeoutMs: (rhpkgTimeout ?? 3600) * 1000, datadir: datadir ?? '', downstream: downstream ?? null };
  }

  /** `<koji_exe> build --wait`; a build that outlives the command timeout has its task cancelled. */
  private async submit(request: BuildDriverRequest, buildLog: string) {
    const exe = this.options.kojiExe;
    const built = await runFarmCommand(request, {
      command: exe,
      args: [
        ...this.auth(),
        'build',
        '--wait',
        ...(this.options.scratchBuild ? ['--scratch'] : []),
        this.options.buildTarget,
        request.srpmPath,
      ],
      logPath: buildLog,
      label: `${basename(exe)} build`,
      timeoutMs: request.commandTimeoutMs,
    });
    const taskId = findCreatedId(built.output, 'Created task: ');
    if (built.result?.timedOut) {
      if (taskId === null) throw new Error(`${built.error?.message}; no task id was printed, nothing to cancel`);
      await cancelAfterTimeout(request, built, `task ${taskId}`, {
        command: exe,
        args: [...this.auth(), 'cancel', taskId],
        logPath: buildLog,
        label: `${basename(exe)} cancel`,
        timeoutMs: this.options.cancelTimeoutMs ?? CANCEL_TIMEOUT_MS,
      });
    }
    return { built, taskId };
  }

  /** The rhpkg flow: import and commit into the dist-git, then `rhpkg build` of that commit. */
  private async submitWithRhpkg(request: BuildDriverRequest, rhpkg: RhpkgOptions) {
    const { krbPrincipal, krbKeytab, kojiExe, buildTarget, scratchBuild } = this.options;
    const followed = request.followedCommit;
    if (!followed) {
      throw new Error(
        'use_rhpkg commits to the dist-git: it builds followed commits only, not changes or bisection steps',
      );
    }
    await importWithRhpkg(request, followed, rhpkg, { krbPrincipal: krbPrincipal ?? '', krbKeytab: krbKeytab ?? '' });
    return buildWithRhpkg(request, followed, rhpkg, {
      exe: kojiExe,
      buildTarget,
      scratch: scratchBuild,
      cancelTimeoutMs: this.options.cancelTimeoutMs ?? CANCEL_TIMEOUT_MS,
    });
  }

  override async build(request: BuildDriverRequest): Promise<void> {
    const exe = this.options.kojiExe;
    const out = request.outputDir;
    const logs = ['kojibuild.log', 'additional_tags.log', 'build_download.log'].map((name) => join(out, name));
    const [buildLog, tagsLog, downloadLog] = logs as [string, string, string];
    const rhpkg = this.rhpkg();
    if (rhpkg) logs.push(...rhpkgLogs(out));
    const before = new Set(await readdir(out));
    try {
      const { built, taskId } = rhpkg
        ? await this.submitWithRhpkg(request, rhpkg)
        : await this.submit(request, buildLog);
      if (taskId === null) throw built.error ?? new Error(NO_TASK_ID_MESSAGE);
      if (built.error === null) {
        const nvr = basename(request.srpmPath, '.src.rpm');
        for (const tag of this.options.additionalKojiTags) {
          const tagged = await runFarmCommand(request, {
            command: exe,
            args: [...this.auth(), 'tag-build', tag, nvr],
            logPath: tagsLog,
            label: `${basename(exe)} tag-build ${tag}`,
            timeoutMs: request.commandTimeoutMs,
          });
          if (tagged.error) throw tagged.error;
        }
      }
      // A failed task's logs are fetched too (DLRN raises the build's error only after this).
      const downloaded = await runFarmCommand(request, {
        command: exe,
        args: ['download-task', '--logs', taskId],
        logPath: downloadLog,
        label: `${basename(exe)} download-task`,
        timeoutMs: request.commandTimeoutMs,
      });
      const fetched = (await readdir(out)).filter((name) => !before.has(name)).sort();
      logs.push(...fetched.filter((name) => name.endsWith('.log')).map((name) => join(out, name)));
      if (built.error) throw built.error;
      if (downloaded.error) throw downloaded.error;
      const rpms = fetched.filter((name) => name.endsWith('.rpm') && !name.endsWith('.src.rpm'));
      if (rpms.length === 0) throw new Error(`${basename(exe)} download-task ${taskId} brought no binary RPM`);
      await writeFile(join(out, 'installed'), '');
    } finally {
      appendLogs(request, [...new Set(logs)]);
    }
  }
}
