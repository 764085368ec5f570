import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RemoteTextLimits {
  /** The whole fetch (connection, headers and body) must end within this. */
  readonly timeoutMs: number;
  /** A larger file is refused, without reading past this many bytes. */
  readonly maxBytes: number;
  /** Where a relative local path is resolved (the config file's directory). */
  readonly baseDir: string;
}

/**
 * DLRN's `requests.get(url, timeout=10)`: 10 s for the connection and each read. A whole-file
 * deadline is simpler to reason about and still ends a stalled server: 30 s.
 */
export const DEFAULT_REMOTE_TEXT_LIMITS: Omit<RemoteTextLimits, 'baseDir'> = {
  timeoutMs: 30_000,
  // RDO's largest versions.csv is under 1 MB.
  maxBytes: 16 * 1024 * 1024,
};

/** A file that could not be fetched: the message names the location and the reason. */
export class RemoteTextError extends Error {
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`cannot fetch ${location}: ${reason}`);
    this.name = 'RemoteTextError';
  }
}

function decode(location: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RemoteTextError(location, 'not UTF-8 text');
  }
}

async function readLocal(location: string, path: string, limits: RemoteTextLimits): Promise<string> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RemoteTextError(location, code === 'ENOENT' ? 'no such file' : `cannot open it (${code ?? error})`);
  }
  try {
    if (!(await file.stat()).isFile()) throw new RemoteTextError(location, 'not a regular file');
    // Read until the end rather than trust the size: the file may be growing.
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > limits.maxBytes) throw new RemoteTextError(location, `larger than ${limits.maxBytes} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return decode(location, Buffer.concat(chunks));
  } finally {
    await file.close();
  }
}

async function readHttp(location: string, url: URL, limits: RemoteTextLimits): Promise<string> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'text/csv, text/plain, */*' } });
    if (!response.ok) {
      await response.body?.cancel();
      throw new RemoteTextError(location, `HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body?.cancel();
      throw new RemoteTextError(location, `${declared} bytes, larger than ${limits.maxBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body !== null) {
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        if (size > limits.maxBytes) throw new RemoteTextError(location, `larger than ${limits.maxBytes} bytes`);
        chunks.push(chunk);
      }
    }
    return decode(location, Buffer.concat(chunks));
  } catch (error) {
    if (error instanceof RemoteTextError) throw error;
    if (signal.aborted) throw new RemoteTextError(location, `no complete answer within ${limits.timeoutMs / 1000} s`);
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    throw new RemoteTextError(location, cause?.code ?? cause?.message ?? (error as Error).message);
  }
}

/**
 * DLRN's `fetch_remote_file`: an http(s):// URL, a file:// URL, or (our addition) a local path,
 * relative ones from `baseDir`. Bounded in time and size; the text must be UTF-8.
 */
export async function fetchRemoteText(location: string, limits: RemoteTextLimits): Promise<string> {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new RemoteTextError(location, 'not a valid URL');
    }
    if (url.protocol === 'file:') {
      if (url.host !== '' && url.host !== 'localhost')
        throw new RemoteTextError(location, 'file:// URL of another host');
      return readLocal(location, fileURLToPath(url), limits);
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') return readHttp(location, url, limits);
    throw new RemoteTextError(location, `the ${url.protocol.slice(0, -1)} scheme is not supported (http, https, file)`);
  }
  if (location === '') throw new RemoteTextError(location, 'empty location');
  return readLocal(location, isAbsolute(location) ? location : resolve(limits.baseDir, location), limits);
}
