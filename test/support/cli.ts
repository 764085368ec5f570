import { spawn } from 'node:child_process';
import { cliLogger, type CliIo } from '../../apps/cli/src/cli-io.js';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** node's arguments that run `dlrn <args>` from source (no build needed): `spawn(process.execPath, dlrnArgs(…))`. */
export function dlrnArgs(args: readonly string[]): string[] {
  return ['--conditions=source', '--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts', ...args];
}

/**
 * Runs the `dlrn` CLI from source as a separate process (no build needed), or in this process
 * when `DLRN_CLI_IN_PROCESS=1` (see `runDlrnHere`).
 */
export function runDlrn(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  if (process.env['DLRN_CLI_IN_PROCESS'] === '1') return runDlrnHere(args, options);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, dlrnArgs(args), {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `dlrn user create`: a user of the API with `password` and, if given, `roles` (comma-separated). */
export function createUser(configFile: string, username: string, password: string, roles?: string): Promise<CliRun> {
  const args = ['user', '--config-file', configFile, 'create', '--username', username, '--password', password];
  return runDlrn(roles === undefined ? args : [...args, '--roles', roles]);
}

let turn: Promise<unknown> = Promise.resolve();

/**
 * `dlrn <args>` in this process, with the directory and environment a child would have had.
 * Mutation testing sets `DLRN_CLI_IN_PROCESS=1` (vitest.mutation.config.mjs): Stryker sees
 * coverage and activates a mutant only in the test's own process, never in a child. Runs take
 * turns: the directory and the environment are the process's. Only for commands that end (a
 * daemon started with `startDlrn` stays a child).
 */
export function runDlrnHere(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const run = turn.then(async () => {
    await import('reflect-metadata');
    const { runCli } = await import('../../apps/cli/src/program.js');
    let stdout = '';
    let stderr = '';
    const sink = { write: (text: string) => void (stderr += text) };
    const io: CliIo = {
      out: (text) => void (stdout += text),
      err: (text) => void (stderr += text),
      logger: (service, level) => cliLogger(service, level, sink),
    };
    const savedEnv = { ...process.env };
    // Stryker's vitest runner uses worker threads, where process.chdir() throws: move only when asked.
    const savedCwd = process.cwd();
    const moved = options.cwd !== undefined && options.cwd !== savedCwd;
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    try {
      if (moved) process.chdir(options.cwd!);
      const code = await runCli(args, io);
      return { code, stdout, stderr };
    } finally {
      if (moved) process.chdir(savedCwd);
      for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
      Object.assign(process.env, savedEnv);
    }
  });
  turn = run.catch(() => undefined);
  return run;
}
