import { open } from 'node:fs/promises';
import { RemoteImportError } from './remote-import.error.js';

export interface DownloadLimits {
  /** Like DLRN's urlopen timeout: the longest wait for a connection, headers or the next chunk. */
  readonly idleTimeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

/** A remote file was not there (HTTP 4xx/5xx): DLRN ignores that for log files. */
export class HttpStatusError extends RemoteImportError {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super('REMOTE_DOWNLOAD_FAILED', `GET ${url}: HTTP ${status}`);
  }
}

/**
 * An abort signal that fires when the caller aborts or when `touch()` was not called for
 * `idleMs`: a stalled server fails the download, a slow but steady one does not.
 */
function idleSignal(idleMs: number, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  touch();
  return {
    signal: controller.signal,
    touch,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

function describe(url: string, error: unknown, signal: AbortSignal): RemoteImportError {
  if (error instanceof RemoteImportError) return error;
  const reason = signal.aborted ? signal.reason : error;
  const cause = (reason as { cause?: unknown } | null)?.cause;
  const detail = [reason, cause]
    .filter((e): e is Error => e instanceof Error)
    .map((e) => e.message)
    .join(': ');
  return new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url}: ${detail || String(reason)}`, { cause: error });
}

/** GET with redirects followed by hand, so that a redirect to another scheme is refused. */
async function get(url: URL, limits: DownloadLimits, signal: AbortSignal): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await fetch(current, { redirect: 'manual', signal });
    if (response.status < 300 || response.status >= 400 || response.status === 304) {
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new HttpStatusError(url.href, response.status);
      }
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (Number.isFinite(length) && length > limits.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new RemoteImportError(
          'REMOTE_DOWNLOAD_FAILED',
          `GET ${url.href}: ${length} bytes, more than ${limits.maxBytes}`,
        );
      }
      return response;
    }
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get('location');
    if (location === null) throw new HttpStatusError(url.href, response.status);
    if (hop >= MAX_REDIRECTS)
      throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: too many redirects`);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: redirect to ${next.protocol} refused`);
    }
    current = next;
  }
}

interface Sink {
  write(chunk: Uint8Array): Promise<void> | void;
  close(): Promise<void> | void;
}

/** Streams the body into the sink opened once the headers are good, enforcing size and idle limits. */
async function consume(url: URL, limits: DownloadLimits, openSink: () => Promise<Sink> | Sink): Promise<number> {
  const idle = idleSignal(limits.idleTimeoutMs, limits.signal);
  let sink: Sink | null = null;
  try {
    const response = await get(url, limits, idle.signal);
    sink = await openSink();
    let size = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        idle.touch();
        size += chunk.byteLength;
        if (size > limits.maxBytes) {
          throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: more than ${limits.maxBytes} bytes`);
        }
        await sink.write(chunk);
      }
    }
    return size;
  } catch (error) {
    throw describe(url.href, error, idle.signal);
  } finally {
    idle.done();
    await sink?.close();
  }
}

/** A small text file (commit.yaml), read into memory. */
export async function downloadText(url: URL, limits: DownloadLimits): Promise<string> {
  const chunks: Uint8Array[] = [];
  await consume(url, limits, () => ({ write: (chunk) => void chunks.push(chunk), close: () => undefined }));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: not UTF-8 text`);
  }
}

/**
 * A file streamed to `dest` (created, never overwritten; not created at all when the server
 * answers with an error status); returns its size.
 */
export async function downloadFile(url: URL, dest: string, limits: DownloadLimits): Promise<number> {
  return consume(url, limits, async () => {
    const file = await open(dest, 'wx');
    return { write: async (chunk) => void (await file.write(chunk)), close: () => file.close() };
  });
}
