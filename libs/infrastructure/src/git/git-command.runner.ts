import { spawn } from 'node:child_process';
import { traceCommand } from '../runtime/command-trace.js';

/** DLRN runs every git command with `_timeout=3600`. */
export const GIT_TIMEOUT_MS = 3_600_000;

/** `git log` of a long history is megabytes; the cap only guards against a runaway process. */
const MAX_OUTPUT_BYTES = 1024 * 1024 * 1024;

export interface GitRunnerOptions {
  /** The whole environment of the git processes (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill a git command running longer than this (default 3600 s, as DLRN). */
  readonly timeoutMs?: number;
}

/** A git command that exited non-zero, timed out, or could not start. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    /** The exit code; null when the process was killed (timeout) or never ran. */
    readonly exitCode: number | null,
    readonly stderr: string,
    cause?: unknown,
  ) {
    super(`git ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim()}`, {
      cause,
    });
    this.name = 'GitCommandError';
  }
}

/**
 * Runs git with an argument array (spawn, no shell): no shell ever sees a value. Every non-zero
 * exit is an error carrying its code, even a silent one (`merge-base --is-ancestor` answers "no"
 * with a bare 1).
 *
 * Why not simple-git: v4 waits a fixed 50 ms after any command that prints nothing (its
 * completion plugin), which is most of the commands `refresh` runs (rev-parse, a no-op fetch,
 * a negative merge-base) and more than the commands themselves cost; it also strips `GIT_*`
 * variables from the environment. Its `timeout.block` is an inactivity timeout; DLRN's `sh`
 * timeout, reproduced here, bounds the whole command.
 */
export class GitCommandRunner {
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly timeoutMs: number;

  constructor(options: GitRunnerOptions = {}) {
    this.env = options.env;
    this.timeoutMs = options.timeoutMs ?? GIT_TIMEOUT_MS;
  }

  /** Runs `git <args>` in `cwd` (which must exist) and returns its stdout. */
  run(cwd: string, args: readonly string[], extraEnv?: Readonly<Record<string, string>>): Promise<string> {
    const env = extraEnv ? { ...(this.env ?? process.env), ...extraEnv } : (this.env ?? process.env);
    traceCommand('git', args, cwd);
    return new Promise((done, fail) => {
      // Its own process group (execFile cannot detach), killed whole on timeout: git's transport
      // helpers (ssh, git-remote-https) would otherwise outlive a killed git, one per hung remote
      // per pass.
      const child = spawn('git', args, {
        cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let ended: string | null = null;
      const kill = (why: string): void => {
        ended ??= why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_OUTPUT_BYTES) kill(`output over ${MAX_OUTPUT_BYTES} bytes`);
        else into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      const timer = setTimeout(() => kill(`killed after ${this.timeoutMs} ms`), this.timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        // ENOENT, ENOTDIR…: git never ran.
        fail(new GitCommandError(args, null, error.message, error));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const err = Buffer.concat(stderr).toString('utf8');
        if (code === 0 && ended === null) return done(Buffer.concat(stdout).toString('utf8'));
        // A number: git's exit code; killed (timeout, runaway output): null.
        fail(new GitCommandError(args, ended === null ? code : null, err || (ended ?? `exit ${code}`)));
      });
    });
  }

  /** Runs `git <args>` and reports its exit code instead of throwing on a non-zero one. */
  async exitCode(cwd: string, args: readonly string[]): Promise<number> {
    try {
      await this.run(cwd, args);
      return 0;
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode !== null) return error.exitCode;
      throw error;
    }
  }
}
