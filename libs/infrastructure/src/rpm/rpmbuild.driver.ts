import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BuildDriver, type BuildDriverRequest } from './build-driver.js';
import { runChecked } from './command.runner.js';

export interface RpmbuildDriverOptions {
  /** The rpmbuild program; default `rpmbuild` from PATH. */
  readonly rpmbuildCommand?: string;
  /** Parent directory of the per-build `_topdir`; default the system temporary directory. */
  readonly tmpDir?: string;
}

/** `--define` value for `%{dist}`: rpm refuses a macro with an empty body. */
/**
 * The defines every rpmbuild call of ours takes: its own `_topdir`, `dist`, and reproducible
 * times (SOURCE_DATE_EPOCH comes with the environment: build and file times follow dt_build).
 */
export function rpmbuildDefines(topdir: string, dist: string): string[] {
  return [
    '--define',
    `_topdir ${topdir}`,
    '--define',
    distDefine(dist),
    '--define',
    'use_source_date_epoch_as_buildtime 1',
    '--define',
    'clamp_mtime_to_source_date_epoch 1',
  ];
}

export function distDefine(dist: string): string {
  return `dist ${dist === '' ? '%{nil}' : dist}`;
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

  override async build(request: BuildDriverRequest): Promise<void> {
    const topdir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'dlrn-rpmbuild-'));
    try {
      const command = this.options.rpmbuildCommand ?? 'rpmbuild';
      const args = [
        '--rebuild',
        '--nodeps',
        ...rpmbuildDefines(topdir, request.dist),
        ...request.additionalOptions,
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
