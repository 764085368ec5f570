import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { BuildDriverRequest } from './build-driver.js';
import { BuildLog } from './build-log.js';
import { CommandFailedError, type CommandResult, runCommand } from './command.runner.js';

/** A build farm's client (koji, brew, cbs, copr): run from the output directory, logged to a file. */
export interface FarmCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** The log file in the output directory (`kojibuild.log`, `coprdownload.log`…). */
  readonly logPath: string;
  /** How errors name the command, e.g. `koji build`. */
  readonly label: string;
  readonly timeoutMs: number;
  /** Default the output directory (rhpkg runs in the dist-git). */
  readonly cwd?: string;
}

/** What a farm command did; `error` is null when it exited 0 within its time. */
export interface FarmCommandOutcome {
  readonly result: CommandResult | null;
  readonly error: Error | null;
  /** Everything it printed (the log file's text from this run). */
  readonly output: string;
}

/** How long `koji cancel` / `copr cancel` may take after a build timed out. */
export const CANCEL_TIMEOUT_MS = 120_000;

/**
 * Runs a farm client the way DLRN's koji and copr drivers do: output teed to a log file of the
 * output directory (and to the verbose echo), the failure kept rather than thrown, so that the
 * caller can still find the task id, cancel it or fetch its logs before failing the build.
 */
export async function runFarmCommand(request: BuildDriverRequest, step: FarmCommand): Promise<FarmCommandOutcome> {
  const log = BuildLog.open(step.logPath, request.log.echo);
  const chunks: Buffer[] = [];
  try {
    log.command(step.command, step.args);
    const result = await runCommand(step.command, step.args, {
      env: request.env,
      cwd: step.cwd ?? request.outputDir,
      timeoutMs: step.timeoutMs,
      output: (chunk) => {
        chunks.push(chunk);
        log.write(chunk);
      },
      label: step.label,
    });
    const output = Buffer.concat(chunks).toString('utf8');
    if (result.code === 0 && !result.timedOut) return { result, error: null, output };
    const why = result.timedOut
      ? `timed out after ${step.timeoutMs / 1000} s and was killed`
      : result.code === null
        ? `was killed by ${result.signal ?? 'a signal'}`
        : `exited with code ${result.code}`;
    return { result, error: new CommandFailedError(`${step.label} ${why}`, result), output };
  } catch (error) {
    // Could not start at all (no such program): nothing ran, nothing to cancel.
    return { result: null, error: error as Error, output: Buffer.concat(chunks).toString('utf8') };
  } finally {
    log.close();
  }
}

/**
 * After a build command timed out: cancels the farm's task or build (`what` and `id` name it, e.g.
 * `task 12345`) with `cancel`, then throws the timeout, saying whether the cancel worked.
 */
export async function cancelAfterTimeout(
  request: BuildDriverRequest,
  timedOut: FarmCommandOutcome,
  what: string,
  cancel: FarmCommand,
): Promise<never> {
  const cancelled = await runFarmCommand(request, cancel);
  throw new Error(
    `${timedOut.error?.message}; ${what} ${cancelled.error === null ? 'cancelled' : `not cancelled (${cancelled.error.message})`}`,
  );
}

/** The first `^<prefix>(\d+)$` line of a client's output (koji's `Created task: N`, copr's `Created builds: N`). */
export function findCreatedId(output: string, prefix: string): string | null {
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith(prefix)) continue;
    const id = line.slice(prefix.length);
    // Bounded: a task id is a database key, never a thousand digits.
    if (/^\d{1,18}$/.test(id)) return id;
  }
  return null;
}

/** Appends the client logs that exist to rpmbuild.log, where the transient-error check reads. */
export function appendLogs(request: BuildDriverRequest, paths: readonly string[]): void {
  for (const path of paths) if (existsSync(path)) request.log.appendFile(path);
}

/**
 * `koji_exe` (DLRN runs it through `env`, so from PATH): a plain program name looked up on the
 * build's PATH, or an absolute path. Anything else (a relative path, an option, a line break) is
 * refused: the program is started from the output directory, where a relative path would point
 * into build results. Returns the reason, or null when the value is fine.
 */
export function clientProgramProblem(value: string): string | null {
  if (value === '') return 'is empty';
  if (/[\0\r\n]/.test(value)) return 'holds a NUL or a line break';
  if (isAbsolute(value)) return null;
  if (/^[A-Za-z0-9_][A-Za-z0-9._+-]*$/.test(value)) return null;
  return `${JSON.stringify(value)} is neither a program name (looked up on PATH) nor an absolute path`;
}

/**
 * A value given to a farm client as an argument (target, tag, principal, copr id): passed as
 * one argv word, never through a shell, but a leading `-` would still make it an option.
 */
export function clientArgumentProblem(value: string): string | null {
  if (value === '') return 'is empty';
  if (value.startsWith('-'))
    return `${JSON.stringify(value)} starts with "-", which the client would read as an option`;
  if (/[\0\r\n]/.test(value)) return `${JSON.stringify(value)} holds a NUL or a line break`;
  return null;
}
