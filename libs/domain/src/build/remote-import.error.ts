/**
 * Stable codes of a failed remote import; the API maps REMOTE_URL_INVALID and REMOTE_HOST_REFUSED
 * to 400, REMOTE_IMPORT_BUSY to 503, the rest to 500.
 */
export type RemoteImportErrorCode =
  | 'REMOTE_URL_INVALID'
  | 'REMOTE_HOST_REFUSED'
  | 'REMOTE_IMPORT_BUSY'
  | 'REMOTE_TIMEOUT'
  | 'REMOTE_RPM_INVALID'
  | 'REMOTE_DOWNLOAD_FAILED'
  | 'REMOTE_COMMIT_INVALID'
  | 'REMOTE_PACKAGE_UNKNOWN'
  | 'REMOTE_IMPORT_FAILED';

/** A remote import refused or failed; nothing of the commit named in the message was recorded. */
export class RemoteImportError extends Error {
  constructor(
    /** Stable code for the CLI/HTTP layers; never rename. */
    readonly code: RemoteImportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RemoteImportError';
  }
}
