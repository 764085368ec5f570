import { runProjector } from '../../../projector/src/projector.daemon.js';
import type { Logger } from '#infrastructure/logging/logger.js';

/** How long a pass waits for a projector running elsewhere to fold its events. */
const VIEWS_WAIT_MS = 60_000;

/**
 * As DLRN's run ends by writing its reports, a pass (`dlrn`, and each pass of `dlrn builder`)
 * ends with the views up to date and `status_report.html`, `status_report.csv`, `report.html`
 * and `queue.html` rewritten in `<datadir>/repos/` (atomically). It projects what no projector
 * runs, and waits (at most a minute) for the projections a projector elsewhere runs to pass its
 * last append. Lives in the CLI: only the CLI may run the projector app beside another.
 */
export async function refreshReports(
  flags: { readonly configFile: string; readonly configOverride: string[] },
  logger: Logger,
): Promise<void> {
  try {
    await runProjector(
      {
        configFile: flags.configFile,
        configOverride: flags.configOverride,
        once: true,
        waitForOthersMs: VIEWS_WAIT_MS,
      },
      // The pass's own log: its projector's warnings and errors, not its progress.
      logger.child({}, { level: logger.isLevelEnabled('debug') ? 'debug' : 'warn' }),
    );
  } catch (error) {
    // The builds are recorded; the pages catch up with the next pass or projector.
    logger.warn({ err: error }, `the views and reports were not brought up to date: ${(error as Error).message}`);
  }
}
