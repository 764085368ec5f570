import { createLogger, LOG_LEVELS, type Logger } from '#infrastructure/logging/logger.js';

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
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  logger: (service, level) => {
    const asked = process.env['DLRN_LOG_LEVEL']?.toLowerCase();
    const known = asked === undefined || asked === '' || (LOG_LEVELS as readonly string[]).includes(asked);
    const logger = createLogger({ service, level: level ?? (known && asked ? asked : 'info') });
    // A typo must not silence the logs, nor stop a daemon: said once, and `info` is used.
    if (!known) logger.warn(`DLRN_LOG_LEVEL=${asked} is not a level (${LOG_LEVELS.join(', ')}); using info`);
    return logger;
  },
};

/** commander helper for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
