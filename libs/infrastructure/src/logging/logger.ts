import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Where log lines go: anything with `write(text)` (a stream, fd 2, a test's buffer). */
export interface LogSink {
  write(text: string): unknown;
}

/** pino's level names, plus `silent` (tests). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LoggerOptions {
  /** `service` on every line: `dlrn-api`, `dlrn-builder`, `dlrn-projector`, `dlrn`. */
  readonly service: string;
  /** Default `info`. */
  readonly level?: string;
  /** Default: stderr (fd 2). Logs never go to stdout: that is the commands' output. */
  readonly sink?: LogSink;
  /**
   * Human lines (`12:03:04 INFO msg key=value`) rather than JSON. Default: when the sink is
   * stderr and stderr is a terminal.
   */
  readonly pretty?: boolean;
}

/** The level asked for, checked: a typo in `DLRN_LOG_LEVEL` must not silence the logs. */
export function logLevel(value: string | undefined, fallback = 'info'): string {
  if (value === undefined || value === '') return fallback;
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`log level ${JSON.stringify(value)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

/**
 * The one logger factory of every process (API, builder, projector, `dlrn serve`, one-shot
 * commands): pino, one JSON object per line with `level`, `time` (ms since the epoch),
 * `service` and `msg`, on stderr. On a terminal the same records are shown as short lines.
 */
export function createLogger(options: LoggerOptions): Logger {
  const toStderr = options.sink === undefined;
  const pretty = options.pretty ?? (toStderr && process.stderr.isTTY === true);
  const level = options.level ?? 'info';
  const base = { service: options.service };
  if (!pretty) {
    return toStderr
      ? pino({ level, base }, pino.destination({ fd: 2, sync: true }))
      : pino({ level, base }, { write: (line: string) => void options.sink!.write(line) });
  }
  const sink = options.sink ?? process.stderr;
  return pino({ level, base }, { write: (line: string) => void sink.write(prettyLine(line)) });
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's own fields, shown in the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

/**
 * One JSON record as `HH:MM:SS LEVEL msg key=value…` (local time; values quoted only when they
 * hold spaces or quotes; objects as JSON). A line that is not JSON is passed as it is.
 */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = new Date(typeof record['time'] === 'number' ? record['time'] : Date.now());
  const clock = [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  const level = LEVEL_NAMES[record['level'] as number] ?? String(record['level']);
  const fields = Object.entries(record)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${shown(value)}`);
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  return `${[clock, level.padEnd(5), msg, ...fields].filter((part) => part !== '').join(' ')}\n`;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
