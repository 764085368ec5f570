import type { Command } from 'commander';
import { userDecider, type UserCommand } from '#domain/user/user.decider.js';
import { ROLES, parseRoles, type Role } from '#domain/user/user-roles.js';
import { userStreamId } from '#domain/user/user.events.js';
import { DomainError } from '#domain/shared/errors.js';
import { MAX_PASSWORD_BYTES, hashPassword, passwordTooLong } from '#infrastructure/auth/password-hasher.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import type { CliIo } from '../cli-io.js';
import { readLine } from '../stdin.js';

/** DLRN exits -1 (255) when a user command cannot be done. */
const FAILED = 255;

async function applyUserCommand(configFile: string, command: UserCommand, io: CliIo): Promise<number> {
  const config = loadProjectsIni(configFile);
  const store = await openEventStore(config.service.eventStoreTarget);
  try {
    const handler = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
    await handler.handle(userStreamId(command.username), userDecider, command, {
      correlationId: new UuidV7IdGenerator().next(),
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

/** Why the API would never accept this password, or null. */
function passwordProblem(password: string | null): string | null {
  if (!password) return 'a password is required';
  // The API refuses longer ones unhashed (their hashing cost is the attacker's choice).
  if (passwordTooLong(password)) return `the password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  return null;
}

/** `dlrn user create|update|delete` (DLRN's `dlrn-user`): API users, as events. */
export function registerUser(program: Command, io: CliIo, exit: (code: number) => void): void {
  const user = program
    .command('user')
    .description('manage the API users')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini');
  const configFile = (): string => (user.opts() as { configFile: string }).configFile;

  user
    .command('create')
    .description('create a user (the password is read from standard input when not given)')
    .requiredOption('--username <name>')
    .option('--password <password>')
    .option('--roles <roles>', ROLES_HELP)
    .action(async (o: { username: string; password?: string; roles?: string }) => {
      const roles = rolesFrom(o.roles);
      if (typeof roles === 'string') return exit((io.err(`dlrn user: ${roles}\n`), FAILED));
      const password = await passwordFrom(o.password);
      const problem = passwordProblem(password);
      if (problem !== null || password === null) return exit((io.err(`dlrn user: ${problem}\n`), FAILED));
      exit(
        await applyUserCommand(
          configFile(),
          { type: 'CreateUser', username: o.username, passwordHash: await hashPassword(password), roles },
          io,
        ),
      );
    });

  user
    .command('set-roles')
    .description("set what a user may do (an empty list: everything, DLRN's behaviour)")
    .requiredOption('--username <name>')
    .requiredOption('--roles <roles>', ROLES_HELP)
    .action(async (o: { username: string; roles: string }) => {
      const roles = rolesFrom(o.roles);
      if (typeof roles === 'string') return exit((io.err(`dlrn user: ${roles}\n`), FAILED));
      exit(await applyUserCommand(configFile(), { type: 'SetRoles', username: o.username, roles }, io));
    });

  user
    .command('update')
    .description("change a user's password")
    .requiredOption('--username <name>')
    .requiredOption('--password <password>')
    .action(async (o: { username: string; password: string }) => {
      const problem = passwordProblem(o.password);
      if (problem !== null) return exit((io.err(`dlrn user: ${problem}\n`), FAILED));
      exit(
        await applyUserCommand(
          configFile(),
          { type: 'ChangePassword', username: o.username, passwordHash: await hashPassword(o.password) },
          io,
        ),
      );
    });

  user
    .command('delete')
    .description('delete a user (asks to type YES unless --force)')
    .requiredOption('--username <name>')
    .option('--force', 'do not ask for confirmation')
    .action(async (o: { username: string; force?: boolean }) => {
      if (!o.force) {
        const answer = await readLine(`Are you sure you want to delete user ${o.username}? Type YES to continue: `);
        if (answer !== 'YES') return exit((io.err('dlrn user: not confirmed, nothing deleted\n'), FAILED));
      }
      exit(await applyUserCommand(configFile(), { type: 'DeleteUser', username: o.username }, io));
    });
}
