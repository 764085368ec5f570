import { ciVoteDecider, ciVoteStreamOf, type CiVoteCommand } from '#domain/ci-vote/ci-vote.decider.js';
import type { EventContext } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/** Records a vote in its repository's stream; returns its global position. */
export async function recordVote(
  commands: DeciderCommandHandler,
  command: CiVoteCommand,
  context: EventContext,
): Promise<number> {
  const { append } = await commands.handle(ciVoteStreamOf(command), ciVoteDecider, command, context, {
    // The stream's identity is all the decider reads (its last vote holds it), and votes
    // commute: concurrent votes on one repo are all recorded, none decided again.
    tail: 1,
    commutative: true,
  });
  // The vote decider records every vote it accepts.
  // Stryker disable next-line StringLiteral: unreachable (the decider never decides nothing), its text untestable.
  if (append === null) throw new Error(`vote on ${ciVoteStreamOf(command)} decided nothing`);
  return append.position;
}
