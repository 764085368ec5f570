import { lstat, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import { expandMacros, parseSpecBasics } from '#domain/build/spec-rewrite.js';
import { downloadFile } from '../net/http-download.js';
import { RemoteTargetPolicy, type Resolver } from '../net/remote-target.policy.js';
import type { BuildLog } from '../rpm/build-log.js';
import { type ChildEnv, runChecked } from '../rpm/command.runner.js';
import { rpmbuildDefines } from '../rpm/rpmbuild.driver.js';
import { specSourceTags, urlSource, UrlSourceError, type SpecSource, type UrlSource } from './spec-sources.js';

/** `[service] source_download_allowed_hosts` and the limits of one download. */
export interface UrlSourceOptions {
  /** Empty: any public address; loopback, private and link-local hosts only when listed. */
  readonly allowedHosts: readonly string[];
  /** A larger file fails the build; default 2 GiB. */
  readonly maxBytes?: number;
  /** The longest wait for a connection, the headers or the next chunk; default 60 s. */
  readonly idleTimeoutMs?: number;
  /** DNS, replaceable in tests. */
  readonly resolve?: Resolver;
  /** The rpmspec program; default `rpmspec` from the build environment's PATH. */
  readonly rpmspecCommand?: string;
}

export interface UrlSourceRequest {
  /** The rewritten spec, as the driver will build it. */
  readonly specPath: string;
  /** `<topdir>/SOURCES`, holding the tarball and the dist-git's files already. */
  readonly sourcesDir: string;
  readonly topdir: string;
  readonly dist: string;
  /**
   * Whether the driver parses the spec on this host (rpmbuild): then `rpmspec -P` expands it
   * here. A driver that parses it in a chroot (mock) keeps macros off the host: only the spec's
   * own `%global`/`%define` values are expanded, in process.
   */
  readonly parseOnHost: boolean;
  readonly env: ChildEnv;
  readonly log: BuildLog;
  /** Bounds rpmspec and each download as a whole. */
  readonly timeoutMs: number;
}

const GIB = 1024 * 1024 * 1024;
const HOSTS_KEY = '[service] source_download_allowed_hosts';

/**
 * build_srpm.sh's `spectool -g -C SOURCES <spec>` (spectool is not packaged for Debian): every
 * `SourceN`/`PatchN` of the expanded spec that is an http(s) URL and not already in SOURCES (a
 * dist-git file of that name wins, as spectool leaves existing files alone) is downloaded there
 * under the name rpm looks for. Connections follow the address rules of remote imports, with
 * their own list; sizes and stalls are bounded; any failure fails the build, naming the tag.
 */
export class UrlSourceFetcher {
  private readonly policy: RemoteTargetPolicy;

  constructor(private readonly options: UrlSourceOptions) {
    this.policy = RemoteTargetPolicy.fromConfig(options.allowedHosts);
  }

  /** Downloads what is missing; returns the file names written. */
  async fetch(request: UrlSourceRequest): Promise<string[]> {
    const wanted = (await this.sourceTags(request)).map(urlSource).filter((s): s is UrlSource => s !== null);
    const written: string[] = [];
    for (const source of wanted) {
      const dest = join(request.sourcesDir, source.fileName);
      if (await lstat(dest).catch(() => null)) {
        request.log.line(`${source.tag}: ${source.fileName} is in SOURCES already, not downloaded`);
        continue;
      }
      request.log.line(`Downloading: ${source.url.href}`);
      const size = await this.download(source, dest, request.timeoutMs);
      request.log.line(`Downloaded: ${source.fileName} (${size} bytes)`);
      written.push(source.fileName);
    }
    return written;
  }

  private async download(source: UrlSource, dest: string, timeoutMs: number): Promise<number> {
    try {
      return await downloadFile(source.url, dest, {
        idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
        maxBytes: this.options.maxBytes ?? 2 * GIB,
        signal: AbortSignal.timeout(timeoutMs),
        policy: this.policy,
        ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
      });
    } catch (error) {
      await rm(dest, { force: true });
      let message = (error as Error).message;
      if (error instanceof RemoteImportError && error.code === 'REMOTE_HOST_REFUSED') {
        message = message.replace(/\(allow it in [^)]*\)/, `(allow it in ${HOSTS_KEY})`);
      }
      throw new UrlSourceError(`${source.tag}: ${message}`, { cause: error });
    }
  }

  private async sourceTags(request: UrlSourceRequest): Promise<SpecSource[]> {
    const text = await readFile(request.specPath, 'utf8');
    const { macros } = parseSpecBasics(text);
    const plain = specSourceTags(text).map((s) => ({ tag: s.tag, value: expandMacros(s.value, macros) }));
    // rpmspec costs a process per build: only for a spec with a URL, or a macro rpm alone knows.
    if (!request.parseOnHost || !plain.some((s) => /:\/\/|%/.test(s.value))) return plain;
    const command = this.options.rpmspecCommand ?? 'rpmspec';
    const args = ['-P', ...(await rpmbuildDefines(request.topdir, request.dist)), request.specPath];
    request.log.command(command, args);
    const result = await runChecked(command, args, {
      env: request.env,
      timeoutMs: request.timeoutMs,
      captureStdout: true,
      output: (chunk) => request.log.write(chunk),
      label: 'rpmspec -P',
    });
    return specSourceTags(result.stdout);
  }
}
