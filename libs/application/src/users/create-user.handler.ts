import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventContext } from '#domain/shared/event.js';
import { DomainError } from '#domain/shared/errors.js';
import type { Role } from '#domain/user/user-roles.js';
import { userDecider, type UserCommand } from '#domain/user/user.decider.js';
import { userStreamId } from '#domain/user/user.events.js';
import { MAX_PASSWORD_BYTES, hashPassword, passwordTooLong } from '#infrastructure/auth/password-hasher.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/** A password the API would never accept (none, or too long to hash at the client's choice). */
export class PasswordRefusedError extends DomainError {
  constructor(why: string) {
    super('PASSWORD_REFUSED', why);
  }
}

/** Refuses what the API would never accept; returns the password then. */
export function checkPassword(password: string | null): string {
  if (!password) throw new PasswordRefusedError('a password is required');
  // The API refuses longer ones unhashed (their hashing cost is the attacker's choice).
  if (passwordTooLong(password)) {
    throw new PasswordRefusedError(`the password must be at most ${MAX_PASSWORD_BYTES} bytes`);
  }
  return password;
}

/** Runs a user command on the user's stream (create, roles, password, delete). */
export async function applyUserCommand(
  commands: DeciderCommandHandler,
  command: UserCommand,
  context: EventContext,
): Promise<void> {
  await commands.handle(userStreamId(command.username), userDecider, command, context);
}

/** `dlrn user create` (DLRN's `dlrn-user create`): an API user, its password hashed here. */
export class CreateUserCommand extends Command<void> {
  constructor(
    readonly username: string,
    readonly password: string | null,
    /** None: the user may do everything, as in DLRN. */
    readonly roles: readonly Role[],
    readonly context: EventContext,
  ) {
    super();
  }
}

/** Throws PasswordRefusedError, UserRuleError (the user exists) or InvalidValueError (the name). */
@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand, void> {
  constructor(@Inject(DeciderCommandHandler) private readonly commands: DeciderCommandHandler) {}

  async execute({ username, password, roles, context }: CreateUserCommand): Promise<void> {
    const passwordHash = await hashPassword(checkPassword(password));
    await applyUserCommand(this.commands, { type: 'CreateUser', username, passwordHash, roles }, context);
  }
}
