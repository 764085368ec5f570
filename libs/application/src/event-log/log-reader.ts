import { EventLogError, LogChainReader, type LogEntry, type LogSummary } from './log-chain.js';

/** No event line comes near this; a longer one is not a log (and must not fill the memory). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Called with the entries of each chunk read, in order; awaited before the next chunk is read. */
export type EntriesSink = (entries: readonly LogEntry[]) => Promise<void> | void;

/**
 * Reads an exported log from a byte stream (a file), checking every line's hash and chain as it
 * goes, and hands the entries over chunk by chunk. Memory holds one chunk and one cut line at a
 * time, whatever the size of the log. Throws `EventLogError` naming the first bad line.
 */
export async function readLog(source: AsyncIterable<Buffer | string>, sink?: EntriesSink): Promise<LogSummary> {
  const chain = new LogChainReader();
  let carry: Buffer | undefined;
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    const entries: LogEntry[] = [];
    let start = 0;
    let newline = chunk.indexOf(10);
    if (carry !== undefined && newline >= 0) {
      entries.push(chain.accept(Buffer.concat([carry, chunk.subarray(0, newline)])));
      carry = undefined;
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    while (newline >= 0) {
      entries.push(chain.accept(chunk.subarray(start, newline)));
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      // A copy: the stream may reuse its buffer, and the cut line waits for the next chunk.
      const rest = Buffer.from(chunk.subarray(start));
      carry = carry === undefined ? rest : Buffer.concat([carry, rest]);
      if (carry.length > MAX_LINE_BYTES) {
        throw new EventLogError(chain.nextLine, `longer than ${MAX_LINE_BYTES} bytes: not a log line`);
      }
    }
    if (sink !== undefined && entries.length > 0) await sink(entries);
  }
  return chain.finish(carry);
}
