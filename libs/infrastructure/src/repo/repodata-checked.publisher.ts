import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { PublishRequest } from '#domain/repo/repo.ports.js';
import { FsRepoPublisher } from './fs-repo.publisher.js';
import { RemoteImportError } from '#domain/build/remote-import.error.js';

const run = promisify(execFile);
const gunzipAsync = promisify(gunzip);

// createrepo_c compresses primary.xml as configured at build time (gz up to 0.x, zstd since 1.0).
const DECOMPRESSORS: Readonly<Record<string, string>> = { zst: 'zstd', xz: 'xz', bz2: 'bzip2' };
const MAX_PRIMARY_BYTES = 512 * 1024 * 1024;

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name]!);

/** The `<location href>` of every package the repository's primary metadata lists. */
export async function primaryLocations(repoDir: string): Promise<string[]> {
  const repomd = await readFile(resolve(repoDir, 'repodata', 'repomd.xml'), 'utf8');
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)?.[1];
  if (href === undefined) throw new Error('repomd.xml names no primary metadata');
  const path = resolve(repoDir, unescapeXml(href));
  const extension = /\.([a-z0-9]+)$/.exec(path)?.[1] ?? '';
  let xml: string;
  if (extension === 'gz') xml = (await gunzipAsync(await readFile(path))).toString('utf8');
  else if (extension === 'xml') xml = await readFile(path, 'utf8');
  else if (DECOMPRESSORS[extension] !== undefined)
    xml = (await run(DECOMPRESSORS[extension], ['-dc', '--', path], { maxBuffer: MAX_PRIMARY_BYTES })).stdout;
  else throw new Error(`primary metadata compressed as .${extension}: cannot read it`);
  return [...xml.matchAll(/<location\b[^>]*\bhref="([^"]+)"/g)].map((m) => unescapeXml(m[1]!));
}

/**
 * The file-system publisher, plus one check before the repository becomes visible: the repodata
 * createrepo_c wrote lists exactly the RPMs of the directory (the build's own and the linked
 * ones, source RPMs as `include_srpm_in_repo` says), each once. createrepo_c skips files it
 * cannot read with a warning and exits 0, which would publish a repository lacking a package.
 */
export class RepodataCheckedPublisher extends FsRepoPublisher {
  /** Per staging directory (imports publish concurrently through one publisher). */
  private readonly pending = new Map<string, PublishRequest>();

  override async publish(request: PublishRequest): Promise<void> {
    const staging = resolve(resolve(request.reposDir), request.stagingDir);
    this.pending.set(staging, request);
    try {
      await super.publish(request);
    } finally {
      this.pending.delete(staging);
    }
  }

  protected override async beforeSwap(stagingDir: string, finalDir: string): Promise<void> {
    await super.beforeSwap(stagingDir, finalDir);
    const request = this.pending.get(resolve(stagingDir));
    if (!request?.withRepodata) return;
    const expected = (await readdir(stagingDir))
      .filter((f) => f.endsWith('.rpm') && (request.includeSrpm || !f.endsWith('.src.rpm')))
      .sort();
    let listed: string[];
    try {
      listed = (await primaryLocations(stagingDir)).sort();
    } catch (error) {
      throw new RemoteImportError('REMOTE_RPM_INVALID', `repodata: ${(error as Error).message}`, { cause: error });
    }
    const missing = expected.filter((f) => !listed.includes(f));
    const extra = listed.filter((f, i) => !expected.includes(f) || listed[i - 1] === f);
    if (missing.length > 0 || extra.length > 0) {
      throw new RemoteImportError(
        'REMOTE_RPM_INVALID',
        [
          missing.length > 0 ? `createrepo_c left out ${missing.join(', ')}` : '',
          extra.length > 0 ? `the repodata lists unexpected ${extra.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ')
          .replace(/^/, 'repodata: '),
      );
    }
  }
}
