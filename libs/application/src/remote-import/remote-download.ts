import { basename, join } from 'node:path';
import { RpmBuildError, type RpmBuildOutput } from '#domain/build/build.ports.js';
import { formatNvr, nvrOfArtifacts, parseRpmFileName } from '#domain/build/nvr.js';
import { downloadFile, HttpStatusError, type DownloadLimits } from '#infrastructure/net/http-download.js';
import { fileUrl, type RemoteCommit } from './remote-commit.js';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import type { RemoteImportLimits } from './remote-import.types.js';
import type { RemoteTargetPolicy, Resolver } from '#infrastructure/net/remote-target.policy.js';
import { verifyRpmFile } from '#infrastructure/rpm/rpm-file.verifier.js';

/** Where an import may connect (`[service] remote_import_allowed_hosts`), and how names resolve. */
export interface RemoteNetwork {
  readonly policy: RemoteTargetPolicy;
  /** Default: the system resolver. */
  readonly resolve?: Resolver;
}

/** DLRN's list (§2.3): fetched when present, ignored when missing. */
const LOG_FILES = ['build.log', 'installed', 'mock.log', 'root.log', 'rpmbuild.log', 'state.log'] as const;

/**
 * One remote commit into its staging directory: the logs (missing ones ignored) and, for a
 * success, every RPM, each verified in full as it arrives. Returns the build's output as the
 * build loop records it; throws RemoteImportError naming the commit and the file.
 */
export async function downloadCommit(request: {
  readonly base: URL;
  readonly commit: RemoteCommit;
  readonly stagingDir: string;
  readonly signal: AbortSignal;
  readonly network: RemoteNetwork;
  readonly limits: RemoteImportLimits;
}): Promise<RpmBuildOutput | RpmBuildError> {
  const { base, commit, stagingDir, signal } = request;
  const limits = (maxBytes: number): DownloadLimits => ({
    ...request.network,
    idleTimeoutMs: request.limits.fileTimeoutMs,
    maxBytes,
    signal,
  });
  for (const name of LOG_FILES) {
    try {
      await downloadFile(fileUrl(base, name), join(stagingDir, name), limits(request.limits.maxLogBytes));
    } catch (error) {
      if (!(error instanceof HttpStatusError)) throw error;
    }
  }
  if (commit.status !== 'SUCCESS') {
    return new RpmBuildError(commit.notes === '' ? `remote build ${commit.status}` : commit.notes);
  }
  const rpms: string[] = [];
  for (const artifact of commit.artifacts) {
    const name = basename(artifact);
    const dest = join(stagingDir, name);
    try {
      await downloadFile(fileUrl(base, name), dest, limits(request.limits.maxRpmBytes));
    } catch (error) {
      const { code, message } = error as RemoteImportError;
      throw new RemoteImportError(
        code === 'REMOTE_TIMEOUT' || code === 'REMOTE_HOST_REFUSED' ? code : 'REMOTE_DOWNLOAD_FAILED',
        `commits[${commit.index}]: artifact ${name} could not be downloaded: ${message}`,
        { cause: error },
      );
    }
    try {
      // A worker is not trusted and a body without Content-Length may end anywhere.
      await verifyRpmFile(dest, name, signal);
    } catch (error) {
      signal.throwIfAborted();
      const { code, message } = error as RemoteImportError;
      throw new RemoteImportError(code ?? 'REMOTE_RPM_INVALID', `commits[${commit.index}]: artifact ${message}`, {
        cause: error,
      });
    }
    rpms.push(name);
  }
  const nvr = nvrOfArtifacts(commit.artifacts) ?? formatNvr(parseRpmFileName(rpms[0]!));
  return { rpms, nvr };
}
