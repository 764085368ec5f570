import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventContext } from '#domain/shared/event.js';
import type { Role } from '#domain/user/user-roles.js';
import { hashPassword } from '#infrastructure/auth/password-hasher.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { checkPassword } from './password-rules.js';
import { applyUserCommand } from './user-commands.js';

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
