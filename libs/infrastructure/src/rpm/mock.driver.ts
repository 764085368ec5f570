import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builderOptions } from '#domain/build/rpm-values.js';
import {
  BuildDriver,
  type BuildDriverRequest,
  type SrpmBuildRequest,
  type UpstreamChrootRequest,
} from './build-driver.js';
import { BuildLog } from './build-log.js';
import { runChecked } from './command.runner.js';
import { openMockChroot, type UpstreamChroot } from './mock-chroot.js';
import {
  assembleMockConfig,
  mockConfigName,
  mockConfigPath,
  writeMockConfigIfChanged,
} from './mock-config.assembler.js';

/** Everything the mock driver reads, given explicitly rather than taken from global config. */
export interface MockBuildDriverOptions {
  readonly datadir: string;
  /** Directory of the `<target>.cfg` templates (`configdir`, by default DLRN's `scriptsdir`). */
  readonly configdir: string;
  readonly target: string;
  readonly reponame: string;
  readonly baseurl: string | null;
  /** `deps_url`; empty or null means `<baseurl>/delorean-deps.repo`. */
  readonly depsUrl: string | null;
  /** `[mockbuild_driver] install_after_build`: `--postinstall` and the install check. */
  readonly installAfterBuild: boolean;
  /** The mock program; default `mock` from the build environment's PATH. */
  readonly mockCommand?: string;
  /**
   * `--use-public` / `--dev`: the public `<baseurl>/current/delorean.repo` goes into the
   * configuration after the deps repo (DLRN's build_rpm_wrapper). Needs `baseurl`.
   */
  readonly usePublic?: boolean;
  /** Time allowed to fetch the deps repo file; DLRN's is 10 s. */
  readonly fetchTimeoutMs?: number;
}

// mockdriver.py matches this at the start of a line, after any non-word characters.
const INSTALL_FAILURE = /^\W*WARNING: Failed install built packages/;

/** DLRN's texts: the install check raises this, which the pipeline wraps as a build_rpm_wrapper error. */
export const INSTALL_FAILURE_MESSAGE = 'Failed to install built packages';

/**
 * build_srpm.sh's `mock --buildsrpm --spec … --sources …` with the mock configuration `config`:
 * rpm parses the spec inside the chroot, so a macro that slipped into it runs there, never on
 * the host. mock's own build.log (rpmbuild's output) is appended to rpmbuild.log: it says why a
 * spec did not build.
 */
export async function mockBuildSrpm(command: string, config: string, request: SrpmBuildRequest): Promise<void> {
  const args = [
    '-v',
    '-r',
    config,
    '--resultdir',
    request.resultDir,
    '--buildsrpm',
    '--spec',
    request.specPath,
    '--sources',
    request.sourcesDir,
  ];
  request.log.command(command, args);
  try {
    await runChecked(command, args, {
      env: { ...request.env, MOCK_CONFIG: mockConfigName(request.workerId) },
      timeoutMs: request.commandTimeoutMs,
      output: (chunk) => request.log.write(chunk),
      label: 'mock --buildsrpm',
    });
  } finally {
    const buildLog = join(request.resultDir, 'build.log');
    if (existsSync(buildLog)) request.log.appendFile(buildLog);
  }
}

/**
 * Build driver `mock` (dlrn/drivers/mockdriver.py): assembles the worker's mock configuration,
 * builds the source RPM with `mock --buildsrpm` (build_srpm.sh), runs `mock --rebuild` with its
 * output in `mock.log`, checks that the built packages installed, touches `installed`, and
 * always appends `mock.log` to `rpmbuild.log` (where the caller looks for transient errors such
 * as `Error downloading packages`). DLRN then runs `restorecon`; SELinux labels are the host's
 * business here.
 */
export class MockBuildDriver extends BuildDriver {
  readonly name = 'mock';

  constructor(private readonly options: MockBuildDriverOptions) {
    super();
  }

  private depsUrl(): string | null {
    if (this.options.depsUrl) return this.options.depsUrl;
    return this.options.baseurl ? `${this.options.baseurl.replace(/\/$/, '')}/delorean-deps.repo` : null;
  }

  /** DLRN's `baseurl + "/current/delorean.repo"` (the file name is DLRN's, whatever the reponame). */
  private publicRepoUrl(): string | null {
    if (!this.options.usePublic) return null;
    if (!this.options.baseurl) throw new Error('--use-public and --dev need baseurl in projects.ini');
    return `${this.options.baseurl.replace(/\/$/, '')}/current/delorean.repo`;
  }

  /** Writes `<datadir>/dlrn-<worker>.cfg` (only if it changed) and returns its path. */
  async prepareConfig(workerId: number, log: BuildLog): Promise<string> {
    const { text, warnings } = await assembleMockConfig({
      templatePath: join(this.options.configdir, `${this.options.target}.cfg`),
      currentRepoPath: join(this.options.datadir, 'repos', 'current', `${this.options.reponame}.repo`),
      depsUrl: this.depsUrl(),
      publicRepoUrl: this.publicRepoUrl(),
      workerId,
      fetchTimeoutMs: this.options.fetchTimeoutMs ?? 10_000,
    });
    for (const warning of warnings) log.line(warning);
    const path = mockConfigPath(this.options.datadir, workerId);
    await writeMockConfigIfChanged(path, text);
    return path;
  }

  private get command(): string {
    return this.options.mockCommand ?? 'mock';
  }

  override parsesSpecOnHost(): boolean {
    return false;
  }

  /** build_srpm.sh's python and gem steps run in the worker's chroot. */
  override async upstreamChroot(request: UpstreamChrootRequest, upstreamCopy: string): Promise<UpstreamChroot> {
    const config = await this.prepareConfig(request.workerId, request.log);
    return openMockChroot(
      {
        command: this.command,
        config,
        resultDir: request.resultDir,
        env: { ...request.env, MOCK_CONFIG: mockConfigName(request.workerId) },
        log: request.log,
        timeoutMs: request.commandTimeoutMs,
      },
      upstreamCopy,
    );
  }

  /** build_srpm.sh's last step, in the worker's chroot. */
  override async buildSrpm(request: SrpmBuildRequest): Promise<void> {
    await mockBuildSrpm(this.command, await this.prepareConfig(request.workerId, request.log), request);
  }

  override async build(request: BuildDriverRequest): Promise<void> {
    const config = await this.prepareConfig(request.workerId, request.log);
    const mockLogPath = join(request.outputDir, 'mock.log');
    const mockLog = BuildLog.open(mockLogPath, request.log.echo);
    try {
      const command = this.command;
      const args = [
        '-v',
        '-r',
        config,
        '--resultdir',
        request.outputDir,
        ...(this.options.installAfterBuild ? ['--postinstall'] : []),
        ...builderOptions(request.additionalOptions),
        '--rebuild',
        request.srpmPath,
      ];
      mockLog.command(command, args);
      await runChecked(command, args, {
        env: { ...request.env, MOCK_CONFIG: mockConfigName(request.workerId) },
        timeoutMs: request.commandTimeoutMs,
        output: (chunk) => mockLog.write(chunk),
        label: 'mock --rebuild',
      });
      if (this.options.installAfterBuild) {
        const output = await readFile(mockLogPath, 'utf8');
        if (output.split('\n').some((line) => INSTALL_FAILURE.test(line))) throw new Error(INSTALL_FAILURE_MESSAGE);
      }
      await writeFile(join(request.outputDir, 'installed'), '');
    } finally {
      mockLog.close();
      request.log.appendFile(mockLogPath);
    }
  }
}
