import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { BuildLog } from '../rpm/build-log.js';
import { runCommand, type ChildEnv } from '../rpm/command.runner.js';

/**
 * Where DLRN's `env <hook>` finds a bare program name: it runs the hook with no PATH in its
 * environment, so execvp falls back to the C library's default path.
 */
const DEFAULT_SEARCH_PATH = ['/bin', '/usr/bin'] as const;

/** The tail of a failing hook's output kept in its notes (the whole output is in the log). */
const NOTES_OUTPUT_CHARS = 2000;

/** The `custom_preprocess` hooks of one build, with what DLRN tells them. */
export interface PreprocessRequest {
  readonly packageName: string;
  /** The dist-git directory holding the spec (`distgit-path` included): the hooks' cwd. */
  readonly distgitDir: string;
  /** The upstream clone, `<datadir>/<package>`. */
  readonly sourceDir: string;
  readonly commitHash: string;
  readonly releaseDate: string;
  readonly releaseNumbering: string;
  readonly releaseMinor: string;
  /** `<datadir>/dlrn-<worker>.cfg` with the mock driver; unset otherwise (no mock config). */
  readonly mockConfig: string | null;
  /** The upstream dist-git (`<datadir>/<package>_distro_upstream[/<distgit-path>]`): downstream only. */
  readonly upstreamDistgitDir: string;
  readonly log: BuildLog;
}

export interface CustomPreprocessOptions {
  /** The `custom_preprocess` entries as configured; empty entries are skipped, as DLRN does. */
  readonly commands: readonly string[];
  /** `DLRN_USER`: the builder's `USER`, as DLRN reads it. */
  readonly user: string | null;
  /** `DLRN_DISTROINFO_REPO` (rdoinfo and downstream drivers), when known. */
  readonly distroinfoRepo?: string | null;
  /**
   * The downstream driver's datadir (real path): its hooks also get DLRN_DATADIR and
   * DLRN_UPSTREAM_DISTGIT, as DLRN's downstream driver gives them. Null for the other drivers.
   */
  readonly downstreamDatadir?: string | null;
  /** Each hook is killed (with what it started) after this long; default 1 hour. */
  readonly timeoutMs?: number;
}

/** A hook that could not run, failed or timed out: DLRN's "Custom pre-process failed: …". */
export class CustomPreprocessError extends Error {
  constructor(detail: string) {
    super(`Custom pre-process failed: ${detail}`);
    this.name = 'CustomPreprocessError';
  }
}

/**
 * Why a `custom_preprocess` entry cannot be run, or null. DLRN hands each comma-separated entry
 * to `env` as one program path (no arguments, no shell): absolute, relative to the dist-git
 * directory when it holds a `/`, else a name looked up in `/bin:/usr/bin`.
 */
export function customPreprocessProblem(command: string): string | null {
  if ([...command].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return `${JSON.stringify(command)} holds a control character (a line continuation?): each comma-separated entry is one program path`;
  if (command.trim() !== command) return `${JSON.stringify(command)} has leading or trailing blanks`;
  if (!isAbsolute(command)) return null; // resolved against each package's dist-git at build time
  try {
    if (!statSync(command).isFile()) return `${command} is not a file`;
    accessSync(command, constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' ? `${command} is not executable` : `${command} not found`;
  }
}

/** The program a hook entry names, as `env` would find it from the dist-git directory. */
export function resolveHook(command: string, distgitDir: string): string | null {
  if (command.includes('/')) return isAbsolute(command) ? command : resolve(distgitDir, command);
  for (const dir of DEFAULT_SEARCH_PATH) {
    const candidate = join(dir, command);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * DLRN's `run_external_preprocess`: each hook runs in the dist-git directory, before the spec
 * is read, with DLRN's minimal environment only (LANG=C, the release variables, MOCK_CONFIG and
 * the DLRN_* variables; nothing inherited from the builder, so no secret reaches it), its output
 * in `rpmbuild.log`. The first failing hook fails the build.
 */
export class CustomPreprocess {
  private readonly commands: readonly string[];

  constructor(private readonly options: CustomPreprocessOptions) {
    this.commands = options.commands.filter((command) => command !== '');
  }

  get enabled(): boolean {
    return this.commands.length > 0;
  }

  /** The environment a hook sees, exactly (DLRN only sets the DLRN_* variables it knows). */
  environment(request: PreprocessRequest): Record<string, string> {
    const env: Record<string, string> = {
      LANG: 'C',
      RELEASE_DATE: request.releaseDate,
      RELEASE_MINOR: request.releaseMinor,
      RELEASE_NUMBERING: request.releaseNumbering,
      DLRN_PACKAGE_NAME: request.packageName,
      DLRN_DISTGIT: request.distgitDir,
      DLRN_SOURCEDIR: request.sourceDir,
      DLRN_SOURCE_COMMIT: request.commitHash,
    };
    if (request.mockConfig) env.MOCK_CONFIG = request.mockConfig;
    if (this.options.user) env.DLRN_USER = this.options.user;
    if (this.options.distroinfoRepo) env.DLRN_DISTROINFO_REPO = this.options.distroinfoRepo;
    if (this.options.downstreamDatadir) {
      env.DLRN_UPSTREAM_DISTGIT = request.upstreamDistgitDir;
      env.DLRN_DATADIR = this.options.downstreamDatadir;
    }
    return env;
  }

  async run(request: PreprocessRequest): Promise<void> {
    const env: ChildEnv = this.environment(request);
    const timeoutMs = this.options.timeoutMs ?? 3600_000;
    for (const command of this.commands) {
      const program = resolveHook(command, request.distgitDir);
      if (program === null) throw new CustomPreprocessError(`${command}: not found in /bin or /usr/bin`);
      request.log.line(`Running custom pre-process: ${command}`);
      request.log.command(program, []);
      let output = '';
      const result = await runCommand(program, [], {
        env,
        cwd: request.distgitDir,
        timeoutMs,
        label: command,
        output: (chunk) => {
          request.log.write(chunk);
          output = (output + chunk.toString('utf8')).slice(-NOTES_OUTPUT_CHARS);
        },
      }).catch((error: Error) => {
        throw new CustomPreprocessError(error.message);
      });
      if (result.code === 0 && !result.timedOut) continue;
      const why = result.timedOut
        ? `timed out after ${timeoutMs / 1000} s and was killed`
        : result.code === null
          ? `was killed by ${result.signal ?? 'a signal'}`
          : `exited with code ${result.code}`;
      const tail = output.trim();
      throw new CustomPreprocessError(`${command} ${why}${tail ? `: ${tail}` : ''}`);
    }
  }
}
