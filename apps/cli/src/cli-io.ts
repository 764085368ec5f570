import { createLogger, LOG_LEVELS, type LogSink, type Logger } from '#infrastructure/logging/logger.js';

/**
 * Where the CLI writes; tests pass their own to capture output. `out` is what a command was
 * asked for (results, listings, exports), plain; `err` its refusals; `logger` what a process
 * tells its operator (progress, warnings), as structured lines on stderr.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** A logger for `service`; `level` (from `--debug`) over `DLRN_LOG_LEVEL` over `info`. */
  logger(service: string, level?: string): Logger;
  /** Whether `out` reaches a terminal (a person) rather than a pipe or a file (a script). */
  readonly outIsTerminal?: boolean;
}

/**
 * A progress line as `out` shows it: on a terminal, after the local time (`12:03:04 `), so a
 * person watching a long pass sees when each step began; to a pipe or a file, as it is, so
 * scripts that read the lines see the same text whatever the hour.
 */
export function progressLine(io: CliIo, line: string, now: Date = new Date()): string {
  if (io.outIsTerminal !== true) return `${line}\n`;
  const clock = [now.getHours(), now.getMinutes(), now.getSeconds()].map((n) => String(n).padStart(2, '0'));
  return `${clock.join(':')} ${line}\n`;
}

/** `io.logger`: `level` (from `--debug`) over `DLRN_LOG_LEVEL` over `info`; to `sink`, else stderr. */
export function cliLogger(service: string, level?: string, sink?: LogSink): Logger {
  const asked = process.env['DLRN_LOG_LEVEL']?.toLowerCase();
  const known = asked === undefined || asked === '' || (LOG_LEVELS as readonly string[]).includes(asked);
  const logger = createLogger({ service, level: level ?? (known && asked ? asked : 'info'), ...(sink && { sink }) });
  // A typo must not silence the logs, nor stop a daemon: said once, and `info` is used.
  if (!known) logger.warn(`DLRN_LOG_LEVEL=${asked} is not a level (${LOG_LEVELS.join(', ')}); using info`);
  return logger;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  outIsTerminal: process.stdout.isTTY === true,
  err: (text) => void process.stderr.write(text),
  logger: (service, level) => cliLogger(service, level),
};

/** commander helper for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
