import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { builderOptions, rpmDist } from '#domain/build/rpm-values.js';
import { BuildDriver, type BuildDriverRequest, type SrpmBuildRequest } from './build-driver.js';
import { makeBuildTempDir } from './build-temp-dirs.js';
import { runChecked } from './command.runner.js';

export interface RpmbuildDriverOptions {
  /** The rpmbuild program; default `rpmbuild` from PATH. */
  readonly rpmbuildCommand?: string;
  /** Parent directory of the per-build `_topdir`; default the system temporary directory. */
  readonly tmpDir?: string;
}

/**
 * The defines every rpmbuild call of ours takes: its own `_topdir`, `dist`, and reproducible
 * times (SOURCE_DATE_EPOCH comes with the environment: build and file times follow dt_build).
 * rpm's script files (`_tmppath`, /var/tmp by default) go inside the topdir, so that a build
 * killed mid-script leaves nothing outside the directory the next builder sweeps.
 * Both values are macro bodies, which rpm expands: neither may hold a `%` of its own.
 */
export async function rpmbuildDefines(topdir: string, dist: string): Promise<string[]> {
  if (/[%\r\n]/.test(topdir))
    throw new Error(`temporary directory ${JSON.stringify(topdir)} holds a "%" or a line break`);
  await mkdir(join(topdir, 'tmp'), { recursive: true });
  return [
    '--define',
    `_topdir ${topdir}`,
    '--define',
    `_tmppath ${join(topdir, 'tmp')}`,
    '--define',
    distDefine(dist),
    '--define',
    'use_source_date_epoch_as_buildtime 1',
    '--define',
    'clamp_mtime_to_source_date_epoch 1',
  ];
}

/** `--define` value for `%{dist}`: rpm refuses a macro with an empty body. */
export function distDefine(dist: string): string {
  return `dist ${rpmDist(dist) === '' ? '%{nil}' : dist}`;
}

/** Every `*.rpm` under a directory tree (rpmbuild's `RPMS/<arch>/`). */
export async function findRpms(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.rpm')).map((e) => join(e.parentPath, e.name));
}

/**
 * Build driver `rpmbuild`: rebuilds the source RPM on this host, no chroot. `--nodeps` because
 * rpm's database on a non-RPM host (Debian) knows none of the BuildRequires; each build gets its
 * own `_topdir`, so parallel workers never share BUILD/BUILDROOT.
 */
export class RpmbuildBuildDriver extends BuildDriver {
  readonly name = 'rpmbuild';

  constructor(private readonly options: RpmbuildDriverOptions = {}) {
    super();
  }

  private get command(): string {
    return this.options.rpmbuildCommand ?? 'rpmbuild';
  }

  /**
   * `rpmbuild -bs` on this host: the spec is parsed here, as every other step of this driver
   * runs here. Values from upstream reach it checked (the pipeline's rewrite refuses `%`).
   */
  override async buildSrpm(request: SrpmBuildRequest): Promise<void> {
    const args = ['-bs', '--nodeps', ...(await rpmbuildDefines(request.topdir, request.dist)), request.specPath];
    request.log.command(this.command, args);
    await runChecked(this.command, args, {
      env: request.env,
      timeoutMs: request.commandTimeoutMs,
      output: (chunk) => request.log.write(chunk),
      label: 'rpmbuild -bs',
    });
  }

  override async build(request: BuildDriverRequest): Promise<void> {
    // Swept with the pipeline's when this builder dies mid-build (same parent by default).
    const topdir = await makeBuildTempDir(this.options.tmpDir ?? tmpdir(), 'rpmbuild');
    try {
      const command = this.command;
      const args = [
        '--rebuild',
        '--nodeps',
        ...(await rpmbuildDefines(topdir, request.dist)),
        ...builderOptions(request.additionalOptions),
        request.srpmPath,
      ];
      request.log.command(command, args);
      await runChecked(command, args, {
        env: request.env,
        timeoutMs: request.commandTimeoutMs,
        output: (chunk) => request.log.write(chunk),
        label: 'rpmbuild --rebuild',
      });
      for (const rpm of await findRpms(join(topdir, 'RPMS'))) {
        await copyFile(rpm, join(request.outputDir, basename(rpm)));
      }
      // mock checks that the packages install with --postinstall; a Debian host has no RPM
      // database to install into, so a successful rebuild is the whole check here.
      await writeFile(join(request.outputDir, 'installed'), '');
    } finally {
      await rm(topdir, { recursive: true, force: true });
    }
  }
}
