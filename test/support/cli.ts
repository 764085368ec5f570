import { spawn } from 'node:child_process';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** node's arguments that run `dlrn <args>` from source (no build needed): `spawn(process.execPath, dlrnArgs(…))`. */
export function dlrnArgs(args: readonly string[]): string[] {
  return ['--conditions=source', '--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts', ...args];
}

/** Runs the `dlrn` CLI from source as a separate process (no build needed). */
export function runDlrn(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
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
