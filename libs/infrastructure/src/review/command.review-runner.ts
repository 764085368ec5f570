import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ReviewRequest, ReviewRunner } from '#domain/package/notification.ports.js';
import { traceCommand } from '../runtime/command-trace.js';

export interface CommandReviewRunnerOptions {
  /** DLRN's `scriptsdir`; the script run is `<scriptsDir>/submit_review.sh` unless `command` is set. */
  readonly scriptsDir: string;
  readonly command?: string;
  /** DLRN: 300 s. */
  readonly timeoutMs?: number;
  /**
   * The environment the script inherits, the request's variables going on top (DLRN runs it
   * through `env VAR=value …`, so it sees the builder's own HOME, PATH and SSH agent, which
   * `git review` needs). Given by the composition root, usually `process.env`.
   */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes for outcomes without one, by shell convention (`timeout`, `sh`). */
const TIMED_OUT = 124;
const NOT_EXECUTABLE = 126;
const NOT_FOUND = 127;
const KILL_GRACE_MS = 5_000;
const MAX_OUTPUT = 256 * 1024;

/**
 * Runs DLRN's Gerrit review script (§8.2): `<script> <package> <outdir> <datadir> <baseurl>
 * <distgit>` with GERRIT_* and the build env, 300 s at most. Its stdout and stderr go to
 * `<outdir>/review.log` (DLRN's script also redirects itself there); the log is what `output`
 * returns. A failing, missing or hanging script is reported through `exitCode`, never thrown:
 * a review that could not be opened does not change the build result.
 */
export class CommandReviewRunner extends ReviewRunner {
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly baseEnv: Readonly<Record<string, string | undefined>>;

  constructor(options: CommandReviewRunnerOptions) {
    super();
    this.command = options.command ?? join(options.scriptsDir, 'submit_review.sh');
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.baseEnv = options.baseEnv ?? {};
  }

  override async run(request: ReviewRequest): Promise<{ readonly exitCode: number; readonly output: string }> {
    const logPath = join(request.outputDir, 'review.log');
    try {
      await mkdir(request.outputDir, { recursive: true });
      const log = await open(logPath, 'w');
      let exitCode: number;
      try {
        exitCode = await this.spawnScript(request, log.fd, logPath);
      } finally {
        await log.close();
      }
      return { exitCode, output: tail(await readFile(logPath, 'utf8')) };
    } catch (error) {
      // Only reached when review.log itself cannot be written; the script did not run.
      return { exitCode: 1, output: `cannot write ${logPath}: ${error instanceof Error ? error.message : error}` };
    }
  }

  private spawnScript(request: ReviewRequest, logFd: number, logPath: string): Promise<number> {
    const args = [request.packageName, request.outputDir, request.datadir, request.baseurl, request.distgitDir];
    return new Promise((done) => {
      traceCommand(this.command, args);
      const child = spawn(this.command, args, {
        env: { ...this.baseEnv, ...request.env },
        stdio: ['ignore', logFd, logFd],
        // Own process group, so that a timeout also stops the git and ssh it started.
        detached: true,
      });
      let timedOut = false;
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
      }, this.timeoutMs);
      // Node may emit 'exit' after a spawn 'error'; the first one decides.
      let settled = false;
      const finish = async (code: number, note: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (note !== null) await appendFile(logPath, `${note}\n`).catch(() => undefined);
        done(code);
      };
      child.once('error', (error: NodeJS.ErrnoException) => {
        const code = error.code === 'ENOENT' ? NOT_FOUND : error.code === 'EACCES' ? NOT_EXECUTABLE : 1;
        void finish(code, `${this.command}: ${error.message}`);
      });
      child.once('exit', (code, signal) => {
        // Leftover children of a timed-out script would otherwise outlive it.
        if (timedOut) killGroup('SIGKILL');
        if (timedOut) void finish(TIMED_OUT, `${this.command}: timed out after ${this.timeoutMs / 1000} s`);
        else if (code !== null) void finish(code, null);
        else void finish(128 + (constants.signals[signal ?? 'SIGTERM'] ?? 0), `${this.command}: killed by ${signal}`);
      });
    });
  }
}

function tail(text: string): string {
  return text.length <= MAX_OUTPUT ? text : `[…]\n${text.slice(-MAX_OUTPUT)}`;
}
