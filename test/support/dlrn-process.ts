import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dlrnArgs } from './cli.js';

export interface DlrnProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /**
   * What was written to stdout and stderr so far: all of it up to 1 MB, else its first MB and
   * its last 256 KB or more (from a line's start) — a flooded log must not flood the test.
   */
  readonly output: () => string;
  /** Bytes written to stdout and stderr so far (the log's size on disk, had it been redirected). */
  readonly outputBytes: () => number;
  /** The first capture group of `ready`: usually the URL it listens on. */
  readonly url: string;
  /** Resident set size of the process now, in bytes (Linux /proc). */
  readonly rssBytes: () => number;
  /** SIGTERM, then waits for the exit. */
  readonly stop: () => Promise<number | null>;
}

/** Starts `dlrn <args>` from source as its own process; resolves once it printed `ready`. */
export function startDlrn(args: readonly string[], ready: RegExp, timeoutMs = 60_000): Promise<DlrnProcess> {
  const child = spawn(process.execPath, dlrnArgs(args), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let tail = '';
  let bytes = 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    let started = false;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (out.length < 1_000_000) out += chunk.toString();
      else {
        tail += chunk.toString();
        if (tail.length > 512_000) tail = tail.slice(tail.indexOf('\n', tail.length - 256_000) + 1);
      }
      const match = started ? null : ready.exec(out);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve({
          child,
          output: () => (tail === '' ? out : `${out}\n${tail}`),
          outputBytes: () => bytes,
          url: match[1]!,
          rssBytes: () =>
            Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
          stop: async () => {
            child.kill('SIGTERM');
            const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
            try {
              return await exited;
            } finally {
              clearTimeout(timeout);
            }
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${out}`)));
  });
}
