import { type ChildProcess, spawn } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { traceCommand } from '../runtime/command-trace.js';

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
  /**
   * Run without the supervisor that kills the command's process group when this process dies:
   * for short queries (`git describe`), where a Node start (~80 ms) would cost more than an
   * orphan could.
   */
  readonly unsupervised?: boolean;
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

/*
 * The supervisor: a Node process of its own (`node -e`), leader of the command's process group.
 * It reads the command as one JSON line on stdin and starts it in its group; then stdin stays
 * open, and its end means the builder is gone — whatever killed it, SIGKILL included — so the
 * whole group is killed: rpmbuild, its %build shell and what that started. Node has no
 * prctl(PR_SET_PDEATHSIG), which would reach the direct child only. When the command ends, its
 * status goes to fd 3 and the group is killed too, so no background process of a build outlives
 * it (nor holds its output pipes open). Written in plain CommonJS: it runs without our loaders.
 */
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const { writeSync } = require('node:fs');
let child = null;
let input = '';
const killGroup = () => {
  try { process.kill(-process.pid, 'SIGKILL'); } catch {}
  process.exit(137);
};
const report = (status) => {
  try { writeSync(3, JSON.stringify(status)); } catch {}
  killGroup();
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, killGroup);
process.stdin.on('error', killGroup);
process.stdin.on('end', killGroup);
process.stdin.on('data', (chunk) => {
  if (child !== null) return;
  input += chunk.toString('utf8');
  const newline = input.indexOf('\\n');
  if (newline < 0) return;
  const { command, args, env } = JSON.parse(input.slice(0, newline));
  child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('error', (error) => report({ error: error.message }));
  child.on('exit', (code, signal) => report({ code, signal }));
});
`;

interface SupervisorStatus {
  readonly code?: number | null;
  readonly signal?: NodeJS.Signals | null;
  readonly error?: string;
}

function startSupervised(command: string, args: readonly string[], options: CommandOptions): ChildProcess {
  // The supervisor needs no environment (nor the builder's NODE_OPTIONS and loaders); the
  // command gets its own, with the JSON line.
  const child = spawn(process.execPath, ['-e', SUPERVISOR], {
    cwd: options.cwd,
    env: {},
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdin?.on('error', () => undefined); // the supervisor ended first: nothing to tell it
  child.stdin?.write(`${JSON.stringify({ command, args, env: options.env })}\n`);
  return child;
}

/**
 * Runs a program with an argument array (never a shell) in a process group of its own, so that a
 * timeout kills what it started too (rpmbuild runs `%build` scripts, mock runs dnf). Unless
 * `unsupervised`, the group is also killed when this process dies, and when the command ends.
 */
export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  traceCommand(command, args, options.cwd);
  return new Promise((resolve, reject) => {
    const child = options.unsupervised
      ? spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : startSupervised(command, args, options);
    const stdout: Buffer[] = [];
    const status: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is already gone; make sure the child is
      }
    }, options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (options.captureStdout) stdout.push(chunk);
      options.output?.(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => options.output?.(chunk));
    (child.stdio[3] as Readable | undefined)?.on('data', (chunk: Buffer) => status.push(chunk));
    const cannotRun = (message: string) =>
      new CommandFailedError(`cannot run ${labelOf(command, args, options)}: ${message}`, null);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(cannotRun(error.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      const text = Buffer.concat(status).toString('utf8');
      // No status: the supervisor was killed before the command ended (the timeout, or by hand).
      const reported: SupervisorStatus = text ? (JSON.parse(text) as SupervisorStatus) : { code, signal };
      if (reported.error !== undefined) {
        reject(cannotRun(reported.error));
        return;
      }
      resolve({
        code: reported.code ?? null,
        signal: reported.signal ?? null,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
      });
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
