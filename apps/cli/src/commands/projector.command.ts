import type { Command } from 'commander';
import {
  projectionStatus,
  rebuildProjections,
  runProjector,
  type ProjectorFlags,
} from '../../../projector/src/projector.daemon.js';
import { collect, type CliIo } from '../cli-io.js';

/** `dlrn projector` and `dlrn projections status|rebuild`. */
export function registerProjector(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('projector')
    .description('keep the read models up to date with the event log')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .option('--once', 'catch up with the log, then exit')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .action(async (flags: ProjectorFlags) => exit(await runProjector(flags, io.logger('dlrn-projector'))));
  const projections = program.command('projections').description('read-model tools');
  projections
    .command('status')
    .description("each projection's checkpoint and lag behind the log")
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .action(async (flags: { configFile: string }) => exit(await projectionStatus(flags.configFile, io)));
  projections
    .command('rebuild')
    .argument('[names...]', 'projections to rebuild (default: all)')
    .description('drop and rebuild projections from the start of the log')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .action(async (names: string[], flags: { configFile: string }) =>
      exit(await rebuildProjections(flags.configFile, names, io)),
    );
}
