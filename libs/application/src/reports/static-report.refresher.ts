import { existsSync } from 'node:fs';
import type { StaticReportWriter } from './static-report.writer.js';

/**
 * Keeps the static copies in step with the projector: `refresh(position)` rewrites them when the
 * projections moved since the last write and `<datadir>/repos` exists (DLRN's builder creates
 * it; we never do). One write at a time; a failure is logged (once until it changes), never thrown.
 */
export class StaticReportRefresher {
  private written = -1;
  private running: Promise<void> | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly writer: Pick<StaticReportWriter, 'write'>,
    private readonly reposDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** For a timer: skips when a write is under way. */
  refresh(position: number): Promise<void> {
    if (this.running) return this.running;
    if (position === this.written || !existsSync(this.reposDir)) return Promise.resolve();
    this.running = this.writeAt(position).finally(() => (this.running = null));
    return this.running;
  }

  /** At the end: waits for a write under way, then writes what it missed. */
  async flush(position: number): Promise<void> {
    await this.running;
    await this.refresh(position);
  }

  /** Waits for a write under way (before the store closes). */
  async settle(): Promise<void> {
    await this.running;
  }

  private async writeAt(position: number): Promise<void> {
    try {
      await this.writer.write();
      this.written = position;
      this.lastError = null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastError) this.log(`projector: static reports not written in ${this.reposDir}: ${message}`);
      this.lastError = message;
    }
  }
}
