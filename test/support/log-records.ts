import pino, { type Logger } from 'pino';

/** A record of a process's log, as written on stderr when it is not a terminal. */
export interface LogRecord {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly service: string;
  readonly [field: string]: unknown;
}

/** Every non-empty stderr line, parsed; throws, naming it, on a line that is not a log record. */
export function logRecords(stderr: string): LogRecord[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        throw new Error(`a stderr line is not a JSON log record: ${line}`);
      }
      if (typeof record.level !== 'number' || typeof record.time !== 'number' || typeof record.msg !== 'string') {
        throw new Error(`a stderr line lacks level, time or msg: ${line}`);
      }
      return record;
    });
}

/** The messages of warn level and above (40+): what a run that went well has none of. */
export function logProblems(stderr: string): string[] {
  return logRecords(stderr)
    .filter((record) => record.level >= 40)
    .map((record) => record.msg);
}

/** The messages, one a line (for matching progress lines a daemon logs). */
export function logMessages(stderr: string): string {
  return logRecords(stderr)
    .map((record) => record.msg)
    .join('\n');
}

/** A record a logger made in the test's own process (no `service` field: not the CLI's logger). */
export interface CapturedRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A real pino logger whose records are kept, parsed, in `records` (levels: 30 info, 40 warn, 50 error). */
export function capturedLogger(): { readonly log: Logger; readonly records: CapturedRecord[] } {
  const records: CapturedRecord[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (line: string) => void records.push(JSON.parse(line) as CapturedRecord) },
  );
  return { log, records };
}
