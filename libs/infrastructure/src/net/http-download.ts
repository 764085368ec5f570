import { lookup as dnsLookup } from 'node:dns/promises';
import { open } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import type { RemoteTargetPolicy, Resolver } from './remote-target.policy.js';

export interface DownloadLimits {
  /** Like DLRN's urlopen timeout: the longest wait for a connection, headers or the next chunk. */
  readonly idleTimeoutMs: number;
  readonly maxBytes: number;
  /** The import's deadline and shutdown: aborting it ends the download at once. */
  readonly signal?: AbortSignal;
  /** Which hosts may be connected to: checked for the URL and every redirect, after DNS. */
  readonly policy: RemoteTargetPolicy;
  /** DNS, replaceable in tests; default the system resolver (getaddrinfo, as any client). */
  readonly resolve?: Resolver;
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

const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * An abort signal that fires when the caller aborts or when `touch()` was not called for
 * `idleMs`: a stalled server fails the download, a slow but steady one does not (the caller's
 * deadline bounds that one).
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

/**
 * The error to report. Messages name the URL and what went wrong at the transport level, never
 * what the server sent: a refused or failed fetch must not become a way to read other hosts.
 */
function describe(url: string, error: unknown, signal: AbortSignal): RemoteImportError {
  if (error instanceof RemoteImportError) return error;
  const reason: unknown = signal.aborted ? signal.reason : error;
  if (reason instanceof RemoteImportError) return reason;
  const cause = (reason as { cause?: unknown } | null)?.cause;
  const detail = [reason, cause]
    .filter((e): e is Error => e instanceof Error)
    .map((e) => e.message)
    .join(': ');
  return new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url}: ${detail || String(reason)}`, { cause: error });
}

/** One GET, connected only where the policy allows (literal addresses here, names in the socket's lookup). */
function requestOnce(url: URL, limits: DownloadLimits, signal: AbortSignal): Promise<IncomingMessage> {
  limits.policy.assertLiteral(url.hostname);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        // No pooled sockets: each connection goes through the policy's lookup.
        agent: false,
        signal,
        lookup: limits.policy.lookup(limits.resolve ?? systemResolver),
        // No Accept-Encoding: bodies arrive as stored, so sizes and limits are the file's.
        headers: { accept: '*/*', 'user-agent': 'dlrn-remote-import' },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}

/** GET with redirects followed by hand: each hop's scheme and host are checked before connecting. */
async function get(url: URL, limits: DownloadLimits, signal: AbortSignal): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, limits, signal);
    const status = response.statusCode ?? 0;
    if (status < 300 || status >= 400 || status === 304) {
      if (status < 200 || status >= 300) {
        response.destroy();
        throw new HttpStatusError(url.href, status);
      }
      const length = Number(response.headers['content-length'] ?? NaN);
      if (Number.isFinite(length) && length > limits.maxBytes) {
        response.destroy();
        throw new RemoteImportError(
          'REMOTE_DOWNLOAD_FAILED',
          `GET ${url.href}: ${length} bytes, more than ${limits.maxBytes}`,
        );
      }
      return response;
    }
    response.destroy();
    const location = response.headers.location;
    if (location === undefined) throw new HttpStatusError(url.href, status);
    if (hop >= MAX_REDIRECTS)
      throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: too many redirects`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: redirect to an invalid URL`);
    }
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

/**
 * Streams the body into the sink opened once the headers are good, enforcing size and idle
 * limits; a body shorter than its Content-Length fails (one without a length is checked by the
 * caller, who knows what the file should be).
 */
async function consume(url: URL, limits: DownloadLimits, openSink: () => Promise<Sink> | Sink): Promise<number> {
  const idle = idleSignal(limits.idleTimeoutMs, limits.signal);
  let sink: Sink | null = null;
  let response: IncomingMessage | null = null;
  const stop = () => response?.destroy(idle.signal.reason instanceof Error ? idle.signal.reason : undefined);
  idle.signal.addEventListener('abort', stop, { once: true });
  try {
    response = await get(url, limits, idle.signal);
    const expected = Number(response.headers['content-length'] ?? NaN);
    sink = await openSink();
    let size = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      idle.touch();
      size += chunk.byteLength;
      if (size > limits.maxBytes) {
        throw new RemoteImportError('REMOTE_DOWNLOAD_FAILED', `GET ${url.href}: more than ${limits.maxBytes} bytes`);
      }
      await sink.write(chunk);
    }
    idle.signal.throwIfAborted();
    if (!response.complete || (Number.isFinite(expected) && size !== expected)) {
      throw new RemoteImportError(
        'REMOTE_DOWNLOAD_FAILED',
        `GET ${url.href}: the connection closed after ${size} of ${Number.isFinite(expected) ? expected : '?'} bytes`,
      );
    }
    return size;
  } catch (error) {
    throw describe(url.href, error, idle.signal);
  } finally {
    idle.signal.removeEventListener('abort', stop);
    idle.done();
    response?.destroy();
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
