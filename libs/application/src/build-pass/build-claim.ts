import type { BeginBuild } from '#domain/build/build.commands.js';
import { buildDecider, BuildRuleError } from '#domain/build/build.decider.js';
import type { BuildEvent } from '#domain/build/build.events.js';
import { buildStreamId } from '#domain/build/commit-ref.js';
import type { EventContext } from '#domain/shared/event.js';
import type { DeciderCommandHandler, HandleResult } from '#infrastructure/event-store/decider-command-handler.js';
import { isStoppedLocalHolder } from './claim-holder.js';
import type { Candidate } from './package-discovery.js';

/** Who claims a commit and how its build starts. */
export interface ClaimRequest {
  readonly candidate: Candidate;
  readonly buildId: string;
  /** A builder's id, or a remote import's identity (`remote-import:<url> (<host>:<pid>)`). */
  readonly builderId: string;
  readonly now: Date;
  readonly leaseMs: number;
  /** DLRN's `dt_build`: now for a builder, the remote build's time for an import. */
  readonly dtBuild: number;
  readonly workerId: number;
  readonly driver: string;
}

export type ClaimOutcome =
  | { readonly claimed: true; readonly streamId: string; readonly recorded: HandleResult<BuildEvent> }
  | { readonly claimed: false; readonly streamId: string; readonly reason: string };

/**
 * The claim, the same for the build loop and a remote import: the commit is discovered, claimed
 * and started in one append (one build of a commit at a time is the build stream's rule). When
 * another builder or import holds or finished it, the reason comes back instead of an error.
 */
export async function claimBuild(
  commands: DeciderCommandHandler,
  request: ClaimRequest,
  context: EventContext,
): Promise<ClaimOutcome> {
  const { candidate } = request;
  const streamId = buildStreamId(candidate.package, candidate);
  const command = (stoppedHolder?: string): BeginBuild => ({
    type: 'BeginBuild',
    commit: candidate,
    claim: {
      buildId: request.buildId,
      builderId: request.builderId,
      now: request.now,
      leaseMs: request.leaseMs,
      ...(stoppedHolder === undefined ? {} : { stoppedHolder }),
    },
    start: { dtBuild: request.dtBuild, workerId: request.workerId, driver: request.driver },
  });
  try {
    return { claimed: true, streamId, recorded: await commands.handle(streamId, buildDecider, command(), context) };
  } catch (error) {
    // The holder is a process of this host that is gone (SIGKILLed, crashed, restarted): its
    // claim is taken over now rather than after its lease. Once: a second refusal stands.
    const holder = error instanceof BuildRuleError ? error.details['builderId'] : undefined;
    if (
      error instanceof BuildRuleError &&
      error.code === 'BUILD_ALREADY_CLAIMED' &&
      typeof holder === 'string' &&
      isStoppedLocalHolder(holder)
    ) {
      try {
        return {
          claimed: true,
          streamId,
          recorded: await commands.handle(streamId, buildDecider, command(holder), context),
        };
      } catch (retryError) {
        return refusal(retryError, streamId);
      }
    }
    return refusal(error, streamId);
  }
}

function refusal(error: unknown, streamId: string): ClaimOutcome {
  if (
    error instanceof BuildRuleError &&
    (error.code === 'BUILD_ALREADY_CLAIMED' || error.code === 'BUILD_ALREADY_DONE')
  ) {
    return { claimed: false, streamId, reason: error.message };
  }
  throw error;
}
