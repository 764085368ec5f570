import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dlrnArgs, type CliRun } from './cli.js';
import { gitTestEnv } from './git-fixtures.js';

/* Helpers of the package-source e2e specs (issue 17, item 3). */
export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: gitTestEnv(), encoding: 'utf8' }).trim();

export function write(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** The hashed repository directories (`<commit>_<distro8>`) under `repos/`, by package RPM name. */
export function builtRepos(datadir: string): { dir: string; rpms: string[] }[] {
  const repos = join(datadir, 'repos');
  return readdirSync(repos, { recursive: true })
    .map(String)
    .filter((path) => path.split('/').length === 3 && /_[0-9a-f]{8}$/.test(path))
    .map((dir) => ({ dir, rpms: readdirSync(join(repos, dir)).filter((f) => f.endsWith('.rpm')) }));
}

export function successes(run: CliRun): string[] {
  return [...run.stdout.matchAll(/\] (\S+) \S+ SUCCESS/g)].map((m) => m[1]!).sort();
}

/** `dlrn <args>` run from `cwd` (the local driver reads its working directory): every path absolute. */
export function runDlrnIn(cwd: string, args: readonly string[]): Promise<CliRun> {
  // esm-register resolves the loader against the working directory: register it by absolute URL.
  const loader = pathToFileURL(resolve('node_modules/@swc-node/register/esm/esm.mjs')).href;
  const register = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(loader)});`;
  const argv = dlrnArgs(args).map((arg) =>
    arg === '@swc-node/register/esm-register' ? register : arg === 'apps/cli/src/main.ts' ? resolve(arg) : arg,
  );
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, argv, {
      cwd,
      env: { ...process.env, SWC_NODE_PROJECT: resolve('tsconfig.json') },
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

export const INI = (driver: string, extra: string) => `[DEFAULT]
datadir=./data
baseurl=file:///unused
distro=rpm-master
source=master
target=centos9
reponame=delorean
build_driver=rpmbuild
pkginfo_driver=${driver}
${extra}`;
