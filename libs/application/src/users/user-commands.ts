import type { EventContext } from '#domain/shared/event.js';
import { userDecider, type UserCommand } from '#domain/user/user.decider.js';
import { userStreamId } from '#domain/user/user.events.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/** Runs a user command on the user's stream (create, roles, password, delete). */
export async function applyUserCommand(
  commands: DeciderCommandHandler,
  command: UserCommand,
  context: EventContext,
): Promise<void> {
  await commands.handle(userStreamId(command.username), userDecider, command, context);
}
