import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';

/** Where an export goes: text written in order, then `commit` (or `abort` on failure). */
export interface ExportOutput {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Standard output, with back-pressure; a closed pipe (`| head`) ends the export with its error. */
export function streamOutput(stream: Writable): ExportOutput {
  let failed: Error | undefined;
  const onError = (error: Error): void => void (failed ??= error);
  stream.on('error', onError);
  return {
    async write(text) {
      if (failed) throw failed;
      if (!stream.write(text)) {
        // Wait for room, or for the error that ends the export; the listener left over is removed.
        const done = new AbortController();
        const { signal } = done;
        try {
          await Promise.race([once(stream, 'drain', { signal }), once(stream, 'error', { signal })]);
        } finally {
          done.abort();
        }
      }
      if (failed) throw failed;
    },
    async commit() {
      stream.off('error', onError);
    },
    async abort() {
      stream.off('error', onError);
    },
  };
}

/**
 * A file written atomically: a temporary file beside it, synced, then renamed over it (and the
 * directory synced), so a reader never sees half an export and a failed one leaves nothing.
 */
export async function atomicFileOutput(path: string): Promise<ExportOutput> {
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) await handle.close();
    closed = true;
  };
  return {
    async write(text) {
      const bytes = Buffer.from(text);
      for (let offset = 0; offset < bytes.length;) {
        offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      }
    },
    async commit() {
      await handle.sync();
      await close();
      await rename(temporary, target);
      const directory = await open(dirname(target), 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    },
    async abort() {
      await close();
      await rm(temporary, { force: true });
    },
  };
}

/** A progress line on a terminal, rewritten in place at most every 200 ms; nothing elsewhere. */
export function progressLine(
  stream: NodeJS.WriteStream,
  label: string,
): {
  update(events: number, done?: number): void;
  clear(): void;
} {
  let last = 0;
  let shown = false;
  return {
    update(events, done) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      const share = done === undefined ? '' : ` (${Math.floor(done * 100)}%)`;
      stream.write(`\r${label}: ${events.toLocaleString('en-US')} events${share}\u001b[K`);
    },
    clear() {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}
