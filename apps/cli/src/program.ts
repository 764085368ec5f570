import { Command, CommanderError } from 'commander';
import { DomainError } from '#domain/shared/errors.js';
import { ConfigError } from '#infrastructure/config/index.js';
import { registerConfigCheck } from './commands/config-check.command.js';
import { processIo, type CliIo } from './cli-io.js';
import { packageVersion } from './version.js';

/** The `dlrn` command line: one binary for every role (build pass, daemons, admin). */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('dlrn')
    .description('Continuous packaging: an RPM and a yum repository for every upstream commit (DLRN-compatible)')
    .version(packageVersion(), '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError();
  const config = program.command('config').description('configuration tools');
  registerConfigCheck(config, io);
  config.exitOverride();
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError || error instanceof DomainError) {
      io.err(`dlrn: error: ${error.message}\n`);
      return 1;
    }
    io.err(`dlrn: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
