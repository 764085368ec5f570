import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** Shell-like rendering of a command line for the log; the command itself never goes to a shell. */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args]
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`))
    .join(' ');
}

/**
 * An append-only log file (`rpmbuild.log`, `mock.log`). Writes are synchronous so that output of
 * successive commands, and DLRN-style `+ command` trace lines, keep their order.
 */
export class BuildLog {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    /** Where a verbose build also shows what is written. */
    readonly echo: ((text: string) => void) | null,
  ) {}

  /** Opens `path` for appending; `echo` also receives everything written (verbose builds). */
  static open(path: string, echo: ((text: string) => void) | null = null): BuildLog {
    return new BuildLog(path, openSync(path, 'a'), echo);
  }

  write(chunk: string | Buffer): void {
    if (this.closed) return;
    if (typeof chunk === 'string') writeSync(this.fd, chunk);
    else writeSync(this.fd, chunk);
    this.echo?.(chunk.toString());
  }

  line(text: string): void {
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  command(command: string, args: readonly string[]): void {
    this.line(`+ ${commandLine(command, args)}`);
  }

  /** Appends another file (mock.log) as it is, without echoing it a second time. */
  appendFile(path: string): void {
    if (this.closed) return;
    writeSync(this.fd, readFileSync(path));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
