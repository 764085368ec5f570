import type { Command } from 'commander';
import type { UserCommand } from '#domain/user/user.decider.js';
import { ROLES, parseRoles, type Role } from '#domain/user/user-roles.js';
import { DomainError } from '#domain/shared/errors.js';
import type { EventContext } from '#domain/shared/event.js';
import { hashPassword } from '#infrastructure/auth/password-hasher.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { CreateUserCommand, CreateUserHandler } from '#application/users/create-user.handler.js';
import { checkPassword } from '#application/users/password-rules.js';
import { applyUserCommand } from '#application/users/user-commands.js';
import type { CliIo } from '../cli-io.js';
import { readLine } from '../stdin.js';

/** DLRN exits -1 (255) when a user command cannot be done. */
const FAILED = 255;

/** Runs a user use case on the configured event store: 0, or 255 and DLRN's message. */
async function withUsers(
  configFile: string,
  io: CliIo,
  work: (commands: DeciderCommandHandler, context: EventContext) => Promise<void>,
): Promise<number> {
  const config = loadProjectsIni(configFile);
  const store = await openEventStore(config.service.eventStoreTarget);
  try {
    const ids = new UuidV7IdGenerator();
    await work(new DeciderCommandHandler(store, ids, new SystemClock()), {
      correlationId: ids.next(),
      causationId: null,
      actor: `cli:${process.env['USER'] ?? 'unknown'}`,
      trigger: 'cli',
    });
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      io.err(`dlrn user: ${error.message}\n`);
      return FAILED;
    }
    throw error;
  } finally {
    await store.close();
  }
}

async function passwordFrom(option: string | undefined): Promise<string | null> {
  return option ?? (await readLine('Password: '));
}

const ROLES_HELP = `comma-separated, of ${ROLES.join(', ')} (none: may do everything, as in DLRN)`;

/** The roles of `--roles`, or the message saying why not. */
function rolesFrom(text: string | undefined): Role[] | string {
  try {
    return parseRoles(text ?? '');
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
}

function applyUser(configFile: string, command: UserCommand, io: CliIo): Promise<number> {
  return withUsers(configFile, io, (commands, context) => applyUserCommand(commands, command, context));
}

/** Why the API would never accept this password, or null. */
function passwordProblem(password: string | null): string | null {
  try {
    checkPassword(password);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
}

/** `dlrn user create|update|delete` (DLRN's `dlrn-user`): API users, as events. */
export function registerUser(program: Command, io: CliIo, exit: (code: number) => void): void {
  const user = program
    .command('user')
    .description('manage the API users')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini');
  // `--config-file` is taken before the subcommand (DLRN's place) or after it, where people put it.
  const configFile = (sub: Command): string =>
    (sub.opts() as { configFile?: string }).configFile ?? (user.opts() as { configFile: string }).configFile;
  const subcommand = (name: string): Command =>
    user.command(name).option('--config-file <file>', "DLRN's projects.ini (here or before the subcommand)");

  subcommand('create')
    .description('create a user (the password is read from standard input when not given)')
    .requiredOption('--username <name>')
    .option('--password <password>')
    .option('--roles <roles>', ROLES_HELP)
    .action(async (o: { username: string; password?: string; roles?: string }, command: Command) => {
      const roles = rolesFrom(o.roles);
      if (typeof roles === 'string') return exit((io.err(`dlrn user: ${roles}\n`), FAILED));
      const password = await passwordFrom(o.password);
      // The same use case as any other caller's, without Nest: its refusals exit 255.
      exit(
        await withUsers(configFile(command), io, (commands, context) =>
          new CreateUserHandler(commands).execute(new CreateUserCommand(o.username, password, roles, context)),
        ),
      );
    });

  subcommand('set-roles')
    .description("set what a user may do (an empty list: everything, DLRN's behaviour)")
    .requiredOption('--username <name>')
    .requiredOption('--roles <roles>', ROLES_HELP)
    .action(async (o: { username: string; roles: string }, command: Command) => {
      const roles = rolesFrom(o.roles);
      if (typeof roles === 'string') return exit((io.err(`dlrn user: ${roles}\n`), FAILED));
      exit(await applyUser(configFile(command), { type: 'SetRoles', username: o.username, roles }, io));
    });

  subcommand('update')
    .description("change a user's password")
    .requiredOption('--username <name>')
    .requiredOption('--password <password>')
    .action(async (o: { username: string; password: string }, command: Command) => {
      const problem = passwordProblem(o.password);
      if (problem !== null) return exit((io.err(`dlrn user: ${problem}\n`), FAILED));
      exit(
        await applyUser(
          configFile(command),
          { type: 'ChangePassword', username: o.username, passwordHash: await hashPassword(o.password) },
          io,
        ),
      );
    });

  subcommand('delete')
    .description('delete a user (asks to type YES unless --force)')
    .requiredOption('--username <name>')
    .option('--force', 'do not ask for confirmation')
    .action(async (o: { username: string; force?: boolean }, command: Command) => {
      if (!o.force) {
        const answer = await readLine(`Are you sure you want to delete user ${o.username}? Type YES to continue: `);
        if (answer !== 'YES') return exit((io.err('dlrn user: not confirmed, nothing deleted\n'), FAILED));
      }
      exit(await applyUser(configFile(command), { type: 'DeleteUser', username: o.username }, io));
    });
}
