import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { RepoReplicator, type ReplicationResult } from '#domain/repo/replication.ports.js';
import { runCommand, type ChildEnv } from '../rpm/command.runner.js';

/** The report files DLRN pushes with every repository (those that exist: ours may be served live). */
const REPORT_FILES = ['report.html', 'status_report.html', 'styles.css', 'queue.html', 'status_report.csv'] as const;

/** The tail of rsync's output kept in a failure's message (the notes of a FAILED build). */
const MESSAGE_OUTPUT_CHARS = 2000;

export interface RsyncReplicatorOptions {
  readonly datadir: string;
  /** `rsyncdest`, already checked (`rsyncDestinationProblem`). */
  readonly destination: string;
  /** `rsyncport`. */
  readonly port: number;
  /** `rsync_known_hosts`; null: ssh's own default files. */
  readonly knownHosts: string | null;
  readonly reponame: string;
  readonly useComponents: boolean;
  /** ssh needs the builder's HOME, USER and SSH_AUTH_SOCK: default this process's environment. */
  readonly env?: ChildEnv;
  /** A push running longer is killed; default 1 hour. */
  readonly timeoutMs?: number;
  readonly rsync?: string;
}

/**
 * DLRN's `dlrn/rsync.py` with host keys checked: `rsync -avzR --delete-delay -e 'ssh -p <port>
 * -o StrictHostKeyChecking=yes …'`, each path given as `<datadir>/repos/./<path>` so that `-R`
 * recreates it below the destination. DLRN turns host-key checking off; we keep it on and never
 * let ssh ask anything (BatchMode): an unknown or changed host key is a failed push.
 */
export class RsyncReplicator extends RepoReplicator {
  readonly destination: string;

  constructor(private readonly options: RsyncReplicatorOptions) {
    super();
    this.destination = options.destination;
  }

  /** rsync's `-e` value: one string, which rsync splits on blanks (paths were checked for them). */
  remoteShell(): string {
    return [
      'ssh',
      '-p',
      String(this.options.port),
      '-o',
      'StrictHostKeyChecking=yes',
      ...(this.options.knownHosts === null ? [] : ['-o', `UserKnownHostsFile=${this.options.knownHosts}`]),
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=60',
    ].join(' ');
  }

  /** `<datadir>/repos/.`: the `.` tells rsync -R where the path to recreate starts (join would drop it). */
  private reposRoot(): string {
    try {
      return `${join(realpathSync(this.options.datadir), 'repos')}/.`;
    } catch {
      return `${join(this.options.datadir, 'repos')}/.`; // rsync then says what is missing
    }
  }

  /** The arguments of one push: DLRN's options, then `extra` (excludes), the paths, the destination. */
  argumentsFor(paths: readonly string[], extra: readonly string[] = []): string[] {
    return ['-avzR', '--delete-delay', '-e', this.remoteShell(), ...extra, ...paths, this.options.destination];
  }

  override async syncRepo(repoDir: string): Promise<ReplicationResult> {
    const root = this.reposRoot();
    const paths = [`${root}/${repoDir}`, ...REPORT_FILES.map((file) => `${root}/${file}`).filter((p) => existsSync(p))];
    return this.push(paths, [], 'Failed to rsync content to');
  }

  override async syncPointers(component: string | null): Promise<ReplicationResult> {
    const root = this.reposRoot();
    const names = ['consistent', 'current'] as const;
    if (!this.options.useComponents || component === null) {
      const links = names.map((name) => `${root}/${name}`).filter((p) => existsSync(p));
      return links.length === 0 ? { ok: true } : this.push(links, [], 'Failed to rsync symlinks to');
    }
    // Components: the component's links and the top-level directories first, without the
    // aggregate files, which follow in a second push once what they name is there.
    const reponame = this.options.reponame;
    const aggregates = names.flatMap((name) => [
      `${name}/${reponame}.repo`,
      `${name}/${reponame}.repo.md5`,
      `${name}/versions.csv`,
    ]);
    const first = [
      ...names.map((name) => `${root}/component/${component}/${name}`),
      ...names.map((name) => `${root}/${name}`),
    ].filter((p) => existsSync(p));
    const excludes = aggregates.flatMap((file) => ['--exclude', file]);
    const firstResult =
      first.length === 0 ? { ok: true as const } : await this.push(first, excludes, 'Failed to rsync symlinks to');
    const second = aggregates.map((file) => `${root}/${file}`).filter((p) => existsSync(p));
    const secondResult =
      second.length === 0 ? { ok: true as const } : await this.push(second, [], 'Failed to rsync symlinks to');
    return firstResult.ok ? secondResult : firstResult;
  }

  private async push(paths: readonly string[], extra: readonly string[], failure: string): Promise<ReplicationResult> {
    const timeoutMs = this.options.timeoutMs ?? 3600_000;
    let output = '';
    try {
      const result = await runCommand(this.options.rsync ?? 'rsync', this.argumentsFor(paths, extra), {
        env: this.options.env ?? process.env,
        timeoutMs,
        label: 'rsync',
        output: (chunk) => {
          output = (output + chunk.toString('utf8')).slice(-MESSAGE_OUTPUT_CHARS);
        },
      });
      if (result.code === 0 && !result.timedOut) return { ok: true };
      const why = result.timedOut
        ? `rsync timed out after ${timeoutMs / 1000} s and was killed`
        : result.code === null
          ? `rsync was killed by ${result.signal ?? 'a signal'}`
          : `rsync exited with code ${result.code}`;
      return { ok: false, error: `${failure} ${this.destination}: ${why}${output.trim() ? `\n${output.trim()}` : ''}` };
    } catch (error) {
      return { ok: false, error: `${failure} ${this.destination}: ${(error as Error).message}` };
    }
  }
}
