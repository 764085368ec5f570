import { spawn } from 'node:child_process';
import { basename } from 'node:path';

export type ChildEnv = Readonly<Record<string, string | undefined>>;

export interface CommandOptions {
  readonly env: ChildEnv;
  readonly cwd?: string;
  /** The command and everything it starts are killed after this long. */
  readonly timeoutMs: number;
  /** Receives stdout and stderr chunks in arrival order (the build log). */
  readonly output?: (chunk: Buffer) => void;
  /** Keep stdout (for `git describe` and the like) instead of only passing it to `output`. */
  readonly captureStdout?: boolean;
  /** How errors name the command; default the program name and its first argument. */
  readonly label?: string;
}

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
}

/** A command that could not start, failed, or was killed after its time limit. */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly result: CommandResult | null,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

function labelOf(command: string, args: readonly string[], options: CommandOptions): string {
  return options.label ?? [basename(command), args[0] ?? ''].join(' ').trim();
}

/**
 * Runs a program with an argument array (never a shell). It gets its own process group so that
 * a timeout kills what it started too (rpmbuild runs `%build` scripts, mock runs dnf).
 */
export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is already gone; make sure the child is
      }
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (options.captureStdout) stdout.push(chunk);
      options.output?.(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => options.output?.(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailedError(`cannot run ${labelOf(command, args, options)}: ${error.message}`, null));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout: Buffer.concat(stdout).toString('utf8') });
    });
  });
}

/** runCommand, throwing CommandFailedError with a one-line reason unless the exit code is 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code === 0 && !result.timedOut) return result;
  const label = labelOf(command, args, options);
  const why = result.timedOut
    ? `timed out after ${options.timeoutMs / 1000} s and was killed`
    : result.code === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.code}`;
  throw new CommandFailedError(`${label} ${why}`, result);
}
