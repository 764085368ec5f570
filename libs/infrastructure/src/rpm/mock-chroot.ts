import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BuildLog } from './build-log.js';
import { type ChildEnv, runChecked } from './command.runner.js';

/** Where build_srpm.sh copies the upstream inside the chroot. */
export const CHROOT_SOURCE_DIR = '/var/tmp/pkgsrc';

/** Commands in a build's sandbox, for upstream code (setup.py, gemspecs). */
export interface UpstreamChroot {
  /** Runs a shell command line inside; returns its standard output. */
  run(commandLine: string): Promise<string>;
  /** `mock --copyout`: a path of the chroot to a host path. */
  copyOut(path: string, dest: string): Promise<void>;
}

export interface MockChrootOptions {
  readonly command: string;
  /** The worker's configuration, `<datadir>/dlrn-<worker>.cfg`. */
  readonly config: string;
  /** mock's logs of these steps (build_srpm.sh's `--resultdir $OUTPUT_DIRECTORY`). */
  readonly resultDir: string;
  readonly env: ChildEnv;
  readonly log: BuildLog;
  readonly timeoutMs: number;
}

/**
 * build_srpm.sh's setup_mock and copy_src_to_mock_buildroot: `mock --clean`, `--init`, git told
 * that the copied tree is safe, then the clean copy of the upstream placed at /var/tmp/pkgsrc
 * under the root `mock -p` prints (a plain copy: `--copyin` mishandles symlinks, DLRN says).
 * The command lines given to `run` are this program's own constants; only checked file names
 * reach them.
 */
export async function openMockChroot(options: MockChrootOptions, upstreamCopy: string): Promise<UpstreamChroot> {
  const base = ['-r', options.config];
  const run = async (args: string[], label: string, quiet = false): Promise<string> => {
    const full = quiet ? ['-q', ...base, ...args] : ['-v', ...base, '--resultdir', options.resultDir, ...args];
    options.log.command(options.command, full);
    const result = await runChecked(options.command, full, {
      env: options.env,
      timeoutMs: options.timeoutMs,
      captureStdout: true,
      // Quiet runs answer on stdout (a version, a path): kept out of the log's interleaving.
      ...(quiet ? {} : { output: (chunk: Buffer) => options.log.write(chunk) }),
      label,
    });
    if (quiet) options.log.write(result.stdout);
    return result.stdout;
  };
  await run(['--clean'], 'mock --clean');
  await run(['--init'], 'mock --init');
  await run(['--chroot', `git config --global --add safe.directory ${CHROOT_SOURCE_DIR}`], 'mock --chroot', true);
  const root = (await run(['-p'], 'mock -p', true)).trim().split('\n').at(-1)?.trim() ?? '';
  if (!root.startsWith('/')) throw new Error(`mock -p printed no chroot path (${JSON.stringify(root)})`);
  const inside = join(root, CHROOT_SOURCE_DIR);
  await rm(inside, { recursive: true, force: true });
  await mkdir(dirname(inside), { recursive: true });
  await cp(upstreamCopy, inside, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return {
    run: (commandLine) => run(['--chroot', commandLine], 'mock --chroot', true),
    copyOut: async (path, dest) => void (await run(['--copyout', path, dest], 'mock --copyout')),
  };
}
