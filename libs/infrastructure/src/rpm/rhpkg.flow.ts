import { basename, join } from 'node:path';
import type { CommitRewrite } from '#domain/build/build.ports.js';
import type { BuildDriverRequest, FollowedBuild } from './build-driver.js';
import { cancelAfterTimeout, type FarmCommandOutcome, findCreatedId, runFarmCommand } from './build-farm.client.js';
import { runChecked } from './command.runner.js';

/** `[kojibuild_driver] use_rhpkg=true`: what the rhpkg flow needs beyond the koji options. */
export interface RhpkgOptions {
  /** `rhpkg_timeout` (seconds in the file): for each rhpkg command. */
  readonly timeoutMs: number;
  /** `<datadir>`: the downstream source is `<datadir>/<package>_downstream`, DLRN's clone. */
  readonly datadir: string;
  /**
   * `pkginfo_driver=downstream`: the build's extended hash (`<dist-git>_<downstream source>`) is
   * rewritten instead of its distro hash, and with `use_upstream_spec` the copied spec is
   * discarded from the dist-git before the import.
   */
  readonly downstream: { readonly useUpstreamSpec: boolean } | null;
}

/** What kinit needs: the rhpkg flow always logs in with the keytab. */
export interface RhpkgLogin {
  readonly krbPrincipal: string;
  readonly krbKeytab: string;
}

/** DLRN's `rhpkg commit` message: build time (local), the triple and the NVR. */
export function rhpkgCommitMessage(at: Date, commitHash: string, distroHash: string, srpmPath: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date =
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-` +
    `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  const nvr = /([0-9a-zA-Z._+-]+)\.src\.rpm/.exec(basename(srpmPath))?.[1] ?? 'XXX-XXX';
  return `DLRN build at ${date}\n\nSource SHA: ${commitHash}\nDist SHA: ${distroHash}\nNVR: ${nvr}\n`;
}

/** `git log --pretty=format:%H %ct -1 HEAD`, checked: a hash and a time, nothing else. */
async function headOf(dir: string, request: BuildDriverRequest): Promise<{ hash: string; dt: number }> {
  const { stdout } = await runChecked('git', ['log', '--pretty=format:%H %ct', '-1', 'HEAD'], {
    env: request.env,
    cwd: dir,
    timeoutMs: 60_000,
    captureStdout: true,
    label: `git log in ${dir}`,
  });
  const match = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d{1,12})$/.exec(stdout.trim());
  if (!match)
    throw new Error(`git log in ${dir} printed ${JSON.stringify(stdout.trim().slice(0, 200))}, not "<hash> <time>"`);
  return { hash: match[1]!, dt: Number(match[2]) };
}

/**
 * kojidriver.py's `_build_with_rhpkg` up to the build: `kinit` with the keytab, `rhpkg import
 * --skip-diff` of the source RPM into the package's dist-git and `rhpkg commit -p`, then the new
 * dist-git HEAD becomes the build's distro hash (downstream: its extended hash, after a `git pull`
 * of the downstream source), recorded through `followedCommit.rewritten` before anything is built
 * from it. Logs: kerberos.log, rhpkgimport.log.
 */
export async function importWithRhpkg(
  request: BuildDriverRequest,
  followed: FollowedBuild,
  options: RhpkgOptions,
  login: RhpkgLogin,
): Promise<void> {
  const distgit = followed.distgitDir;
  const out = request.outputDir;
  const step = async (logName: string, command: string, args: string[], cwd: string): Promise<FarmCommandOutcome> => {
    const done = await runFarmCommand(request, {
      command,
      args,
      cwd,
      logPath: join(out, logName),
      label: `${command} ${args[0]}`,
      timeoutMs: options.timeoutMs,
    });
    if (done.error) throw done.error;
    return done;
  };
  await step('kerberos.log', 'kinit', ['-k', '-t', login.krbKeytab, login.krbPrincipal], out);
  if (options.downstream?.useUpstreamSpec) {
    // The spec copied from upstream is uncommitted: rhpkg import refuses a dirty tree, and the
    // source RPM brings that spec back anyway.
    await step('rhpkgimport.log', 'git', ['checkout', '--', '*'], distgit);
  }
  await step('rhpkgimport.log', 'rhpkg', ['import', '--skip-diff', request.srpmPath], distgit);
  const message = rhpkgCommitMessage(new Date(), followed.commitHash, followed.distroHash, request.srpmPath);
  await step('rhpkgimport.log', 'rhpkg', ['commit', '-p', '-m', message], distgit);
  const head = await headOf(distgit, request);
  let rewrite: CommitRewrite = { hash: 'distro', distroHash: head.hash, dtDistro: head.dt, cause: 'rhpkg commit' };
  if (options.downstream) {
    // A patch-rebasing job may have moved the downstream source meanwhile: DLRN pulls it first.
    const source = join(options.datadir, `${request.packageName}_downstream`);
    await step('rhpkgimport.log', 'git', ['pull'], source);
    const ds = await headOf(source, request);
    rewrite = { hash: 'extended', extendedHash: `${head.hash}_${ds.hash}`, dtExtended: head.dt, cause: 'rhpkg commit' };
  }
  request.log.line(`rhpkg commit made ${head.hash}: the build goes on as that dist-git commit's`);
  await followed.rewritten(rewrite);
}

/**
 * `rhpkg build --skip-nvr-check [--scratch]` in the dist-git (rhpkgbuild.log). On timeout the
 * task is cancelled (`<koji_exe> cancel --force N`): its id is the `Created task: N` rhpkg printed,
 * else, as DLRN finds it, the row of `<koji_exe> list-tasks --mine --quiet` naming the target and
 * the source RPM.
 */
export async function buildWithRhpkg(
  request: BuildDriverRequest,
  followed: FollowedBuild,
  options: RhpkgOptions,
  koji: {
    readonly exe: string;
    readonly buildTarget: string;
    readonly scratch: boolean;
    readonly cancelTimeoutMs: number;
  },
): Promise<{ built: FarmCommandOutcome; taskId: string | null; logPath: string }> {
  const distgit = followed.distgitDir;
  const logPath = join(request.outputDir, 'rhpkgbuild.log');
  const built = await runFarmCommand(request, {
    command: 'rhpkg',
    args: ['build', '--skip-nvr-check', ...(koji.scratch ? ['--scratch'] : [])],
    cwd: distgit,
    logPath,
    label: 'rhpkg build',
    timeoutMs: options.timeoutMs,
  });
  const printed = findCreatedId(built.output, 'Created task: ');
  if (!built.result?.timedOut) return { built, taskId: printed, logPath };
  const taskId = printed ?? (await ownTaskId(request, koji.exe, koji.buildTarget, logPath, koji.cancelTimeoutMs));
  if (taskId === null) {
    throw new Error(`${built.error?.message}; its task was not found (list-tasks --mine), nothing cancelled`);
  }
  return cancelAfterTimeout(request, built, `task ${taskId}`, {
    command: koji.exe,
    args: ['cancel', '--force', taskId],
    logPath,
    label: `${basename(koji.exe)} cancel`,
    timeoutMs: koji.cancelTimeoutMs,
  });
}

/** kojidriver.py's get_own_task_id: the last of my tasks whose row names the target and the SRPM. */
async function ownTaskId(
  request: BuildDriverRequest,
  exe: string,
  target: string,
  logPath: string,
  timeoutMs: number,
): Promise<string | null> {
  const listed = await runFarmCommand(request, {
    command: exe,
    args: ['list-tasks', '--mine', '--quiet'],
    logPath,
    label: `${basename(exe)} list-tasks`,
    timeoutMs,
  });
  if (listed.error) return null;
  const srpm = basename(request.srpmPath);
  let found: string | null = null;
  for (const row of listed.output.split('\n')) {
    const id = row.trim().split(/\s+/)[0] ?? '';
    if (row.includes(target) && row.includes(srpm) && /^\d{1,18}$/.test(id)) found = id;
  }
  return found;
}

/** The rhpkg flow's logs in the output directory (appended to rpmbuild.log with koji's). */
export function rhpkgLogs(outputDir: string): string[] {
  return ['kerberos.log', 'rhpkgimport.log', 'rhpkgbuild.log'].map((name) => join(outputDir, name));
}
