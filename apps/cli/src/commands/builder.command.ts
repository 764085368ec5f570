import type { Command } from 'commander';
import { runBuilder, type BuilderFlags } from '../../../builder/src/builder.daemon.js';
import { collect, type CliIo } from '../cli-io.js';
import { refreshReports } from './report-refresh.js';

/** `dlrn builder`: the build loop as a daemon (apps/builder). */
export function registerBuilder(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('builder')
    .description('run the build loop continuously (poll interval from [service] poll_interval)')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout holding the package metadata')
    .option('--head-only', 'build only the newest commit of each package')
    .option('--once', 'run one pass and exit (for tests and cron)')
    .option('--debug', 'log level debug (default: DLRN_LOG_LEVEL, else info)')
    // Alone, as DLRN's run: each pass that built something ends with the views and reports
    // brought up to date (`dlrn serve` runs a projector beside its builder instead).
    .action(async (flags: BuilderFlags & { debug?: boolean }) => {
      const log = io.logger('dlrn-builder', flags.debug ? 'debug' : undefined);
      exit(await runBuilder(flags, log, undefined, () => refreshReports(flags, log)));
    });
}
