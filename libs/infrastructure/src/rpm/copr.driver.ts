import { copyFile, lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BuildDriver, type BuildDriverRequest, type SrpmBuildRequest } from './build-driver.js';
import {
  appendLogs,
  cancelAfterTimeout,
  CANCEL_TIMEOUT_MS,
  clientArgumentProblem,
  findCreatedId,
  runFarmCommand,
} from './build-farm.client.js';
import { makeBuildTempDir } from './build-temp-dirs.js';
import { RpmbuildBuildDriver, type RpmbuildDriverOptions } from './rpmbuild.driver.js';

/** `[coprbuild_driver]` as the copr driver uses it. */
export interface CoprBuildDriverOptions {
  /** `owner/project` (or `@group/project`). */
  readonly coprid: string;
  /** The copr client; DLRN always runs `copr` from PATH. */
  readonly coprCommand?: string;
  /** The source RPM is built on this host, as the rpmbuild driver builds it. */
  readonly rpmbuild?: RpmbuildDriverOptions;
  /** Parent of the download directory; default the system temporary directory. */
  readonly tmpDir?: string;
  readonly cancelTimeoutMs?: number;
}

/** DLRN's text when `copr build` printed no build id. */
export const NO_BUILD_ID_MESSAGE = 'Failed to find build id for the copr build';

// A gzipped log bigger than this is copied but not appended to rpmbuild.log.
const MAX_APPENDED_LOG_BYTES = 32 * 1024 * 1024;

/** The problem with a `coprid` value, or null. */
export function coprIdProblem(coprid: string): string | null {
  const problem = clientArgumentProblem(coprid);
  if (problem !== null) return problem;
  if (!/^@?[A-Za-z0-9_.+-]+\/[A-Za-z0-9_.+-]+$/.test(coprid))
    return `${JSON.stringify(coprid)} is not owner/project (or @group/project)`;
  return null;
}

/**
 * Build driver `copr` (dlrn/drivers/coprdriver.py): the source RPM, built here, goes to
 * `copr build <coprid> <srpm>`, which waits for the build (output in `coprbuild.log`); the
 * build id comes from its `Created builds: N` line; `copr download-build -d <dir> N`
 * (`coprdownload.log`) fetches one directory per chroot, and the `.rpm` and `.log.gz` files of
 * the single chroot directory are copied into the output directory. A build that outlives the
 * command timeout is killed and cancelled (`copr cancel N`). The client logs and the chroot's
 * logs (unzipped) are appended to rpmbuild.log for the transient-error check.
 */
export class CoprBuildDriver extends BuildDriver {
  readonly name = 'copr';
  private readonly srpmBuilder: RpmbuildBuildDriver;

  constructor(private readonly options: CoprBuildDriverOptions) {
    super();
    const problem = coprIdProblem(options.coprid);
    if (problem !== null) throw new Error(`[coprbuild_driver] coprid ${problem}`);
    this.srpmBuilder = new RpmbuildBuildDriver(options.rpmbuild);
  }

  override buildSrpm(request: SrpmBuildRequest): Promise<void> {
    return this.srpmBuilder.buildSrpm(request);
  }

  private get command(): string {
    return this.options.coprCommand ?? 'copr';
  }

  override async build(request: BuildDriverRequest): Promise<void> {
    const out = request.outputDir;
    const buildLog = join(out, 'coprbuild.log');
    const downloadLog = join(out, 'coprdownload.log');
    const chrootLogs: string[] = [];
    try {
      const built = await runFarmCommand(request, {
        command: this.command,
        args: ['build', this.options.coprid, request.srpmPath],
        logPath: buildLog,
        label: 'copr build',
        timeoutMs: request.commandTimeoutMs,
      });
      const buildId = findCreatedId(built.output, 'Created builds: ');
      if (built.result?.timedOut) {
        if (buildId === null) throw new Error(`${built.error?.message}; no build id was printed, nothing to cancel`);
        await cancelAfterTimeout(request, built, `build ${buildId}`, {
          command: this.command,
          args: ['cancel', buildId],
          logPath: buildLog,
          label: 'copr cancel',
          timeoutMs: this.options.cancelTimeoutMs ?? CANCEL_TIMEOUT_MS,
        });
      }
      if (buildId === null) throw built.error ?? new Error(NO_BUILD_ID_MESSAGE);
      // A failed build's logs are fetched too (DLRN raises the build's error only after this).
      const copied = await this.download(request, buildId, downloadLog).catch((error: unknown) => {
        if (built.error === null) throw error;
        return [] as string[]; // the build's own failure is the one to report
      });
      chrootLogs.push(...copied.filter((name) => name.endsWith('.log.gz')).map((name) => join(out, name)));
      if (built.error) throw built.error;
      if (!copied.some((name) => name.endsWith('.rpm') && !name.endsWith('.src.rpm')))
        throw new Error(`copr download-build ${buildId} brought no binary RPM`);
      await writeFile(join(out, 'installed'), '');
    } finally {
      appendLogs(request, [buildLog, downloadLog]);
      for (const path of chrootLogs) await this.appendGzipLog(request, path);
    }
  }

  /** download-build into a private directory, then the chroot's RPMs and logs into the output. */
  private async download(request: BuildDriverRequest, buildId: string, logPath: string): Promise<string[]> {
    const dir = await makeBuildTempDir(this.options.tmpDir ?? tmpdir(), 'copr');
    try {
      const downloaded = await runFarmCommand(request, {
        command: this.command,
        args: ['download-build', '-d', dir, buildId],
        logPath,
        label: 'copr download-build',
        timeoutMs: request.commandTimeoutMs,
      });
      if (downloaded.error) throw downloaded.error;
      const chroots = await readdir(dir, { withFileTypes: true });
      const [chroot] = chroots;
      if (chroots.length !== 1 || !chroot?.isDirectory())
        throw new Error(
          `copr download-build ${buildId} left ${chroots.length} entries instead of one chroot directory: ${chroots
            .map((entry) => entry.name)
            .sort()
            .slice(0, 5)
            .join(', ')}`,
        );
      const chrootDir = join(dir, chroot.name);
      const copied: string[] = [];
      for (const name of (await readdir(chrootDir)).sort()) {
        if (!name.endsWith('.rpm') && !name.endsWith('.log.gz')) continue;
        // Only plain files: a symbolic link could point anywhere on this host.
        if (!(await lstat(join(chrootDir, name))).isFile()) continue;
        await copyFile(join(chrootDir, name), join(request.outputDir, name));
        copied.push(name);
      }
      return copied;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async appendGzipLog(request: BuildDriverRequest, path: string): Promise<void> {
    try {
      const text = gunzipSync(await readFile(path), { maxOutputLength: MAX_APPENDED_LOG_BYTES });
      request.log.line(`+ zcat ${path}`);
      request.log.write(text);
    } catch (error) {
      request.log.line(`WARNING: ${path} not appended: ${(error as Error).message}`);
    }
  }
}
