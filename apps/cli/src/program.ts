import { Command, CommanderError } from 'commander';
import { DomainError } from '#domain/shared/errors.js';
import { ConfigError } from '#infrastructure/config/index.js';
import { registerBuildPass } from './commands/build-pass.command.js';
import { registerBisect } from './commands/bisect.command.js';
import { registerBuilder } from './commands/builder.command.js';
import { registerUser } from './commands/user.command.js';
import { registerPurge } from './commands/purge.command.js';
import { registerProjector } from './commands/projector.command.js';
import { registerRemote } from './commands/remote.command.js';
import { registerImportDb } from './commands/import-db.command.js';
import { registerEvents } from './commands/events.command.js';
import { registerConfigCheck } from './commands/config-check.command.js';
import { registerDemo } from './commands/demo.command.js';
import { registerServe } from './commands/serve.command.js';
import { processIo, type CliIo } from './cli-io.js';
import { packageVersion } from '#infrastructure/runtime/package-version.js';

/** The `dlrn` command line: one binary for every role (build pass, daemons, admin). */
export function buildProgram(io: CliIo = processIo, exit: (code: number) => void = () => undefined): Command {
  const program = new Command('dlrn')
    .description('Continuous packaging: an RPM and a yum repository for every upstream commit (DLRN-compatible)')
    .version(packageVersion(), '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError();
  registerBuildPass(program, io, exit);
  registerDemo(program, io, exit);
  registerServe(program, io, exit);
  registerBuilder(program, io, exit);
  registerUser(program, io, exit);
  registerPurge(program, io, exit);
  registerProjector(program, io, exit);
  registerRemote(program, io, exit);
  registerImportDb(program, io, exit);
  registerEvents(program, io, exit);
  registerBisect(program, io, exit);
  const config = program.command('config').description('configuration tools');
  registerConfigCheck(config, io);
  config.exitOverride();
  program.addHelpText(
    'after',
    `
Without a command, dlrn runs one build pass, as DLRN's dlrn does, and ends as it does: the views
brought up to date (or waited for, when a projector runs elsewhere) and DLRN's reports
(status_report.html, status_report.csv, report.html, queue.html) rewritten in <datadir>/repos/.
\`dlrn help <command>\` (or \`dlrn <command> --help\`) shows a command's options; options may
follow the command.

Exit codes:
  0  done; for a pass: every build succeeded (or there was nothing to build)
  1  refused or failed: bad configuration or arguments, or a build FAILED
  2  a pass whose builds failed only transiently (RETRY, DLRN's code)
  255  a user command could not be done (dlrn user, as DLRN's dlrn-user)`,
  );
  return program;
}

/**
 * `dlrn projections --config-file F status` as `dlrn projections status --config-file F`: options
 * written between a command group and its subcommand are the subcommand's (every subcommand
 * takes `--config-file`), so they may go where people put them.
 */
function optionsAfterSubcommand(program: Command, argv: readonly string[]): string[] {
  const group = program.commands.find((c) => c.name() === argv[0]);
  if (group === undefined || group.commands.length === 0) return [...argv];
  const at = argv.findIndex((word, i) => i > 0 && group.commands.some((c) => c.name() === word));
  if (at <= 1 || !argv[1]!.startsWith('-')) return [...argv];
  return [argv[0]!, argv[at]!, ...argv.slice(1, at), ...argv.slice(at + 1)];
}

/** Runs the CLI and returns the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(optionsAfterSubcommand(program, argv), { from: 'user' });
    return code;
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
