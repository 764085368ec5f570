import { isBisectionStep, type BuildSucceeded, type CommitDiscovered } from '#domain/build/build.events.js';
import { fold } from '#domain/shared/decider.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventContext, EventPayload, RecordedEvent } from '#domain/shared/event.js';
import {
  PUBLISH_DECIDER_TAIL,
  PublishAlreadyRecordedError,
  publishDecider,
  publishStreamId,
  type PublishCommand,
  type PublishState,
} from '#domain/publish/publish.decider.js';
import type { PublishEvent, PublishedBuildRef } from '#domain/publish/publish.events.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import type { CentralAnswer } from '#infrastructure/net/central-api.client.js';

const PAGE = 200;

export interface CentralPublisherDeps {
  readonly store: EventStore;
  readonly commands: DeciderCommandHandler;
  /** `[service] publish_to`, the central API's base URL. */
  readonly target: string;
  /** `[DEFAULT] baseurl`: where this builder serves its repos/ (the central service downloads from it). */
  readonly baseurl: string;
  /** Asks the central service to import one repo URL; rejects when it cannot be reached. */
  readonly ask: (repoUrl: string) => Promise<CentralAnswer>;
  readonly log: (line: string) => void;
}

/** What one round did. */
export interface PublishRound {
  readonly published: number;
  readonly refused: number;
  /** The central service could not be reached: the rest waits for the next round. */
  readonly unreachable: boolean;
}

/**
 * A builder on another host feeds the central service (issue 15, `[service] publish_to`): after
 * each pass it offers every new successful commit build of its log, oldest first, to the central
 * service's remote import, which downloads and verifies the build from this builder's repos/
 * before it records anything. The offers are recorded in the worker's own log (`publish-<url>`),
 * so a restart resumes where it stopped. A refused build is offered again next round, in order,
 * up to MAX_PUBLISH_ATTEMPTS refusals, then skipped; an unreachable central service stops the
 * round without a record. Bisection steps stay local: they are not the packages' history.
 */
export class CentralPublisher {
  constructor(private readonly deps: CentralPublisherDeps) {}

  async publishPending(context: EventContext): Promise<PublishRound> {
    const round = { published: 0, refused: 0, unreachable: false };
    let state = await this.state();
    let after = state.done;
    for (;;) {
      const page = await this.deps.store.readAll({
        after,
        maxCount: PAGE,
        filter: { streamPrefixes: ['build-'], eventTypes: ['BuildSucceeded'] },
      });
      for (const event of page) {
        after = event.position;
        const ref = await this.offerOf(event as RecordedEvent<BuildSucceeded>);
        if (ref === null || ref.position <= state.done) continue;
        let answer: CentralAnswer;
        try {
          answer = await this.deps.ask(ref.repoUrl);
        } catch (error) {
          this.deps.log(`publish: ${this.deps.target} unreachable, retrying next pass: ${(error as Error).message}`);
          return { ...round, unreachable: true };
        }
        const accepted = answer.status === 201;
        const command: PublishCommand = accepted
          ? { type: 'RecordPublished', data: ref }
          : { type: 'RecordPublishRefused', data: { ...ref, status: answer.status, message: answer.message } };
        const recorded = await this.record(command, context);
        state = recorded ?? (await this.state());
        if (recorded === null) continue;
        if (accepted) {
          round.published += 1;
          this.deps.log(`publish: ${ref.package} ${ref.commitHash.slice(0, 7)} imported by ${this.deps.target}`);
          continue;
        }
        round.refused += 1;
        const gaveUp = state.done >= ref.position;
        this.deps.log(
          `publish: ${this.deps.target} refused ${ref.package} ${ref.commitHash.slice(0, 7)} (${answer.status} ${answer.message})` +
            (gaveUp ? ': given up on it' : ': offered again next pass'),
        );
        if (!gaveUp) return round;
      }
      if (page.length < PAGE) return round;
    }
  }

  /** The cursor, from the stream's last event (the decider's state depends on nothing else). */
  private async state(): Promise<PublishState> {
    const last = await this.deps.store.readStream(publishStreamId(this.deps.target), {
      direction: 'backwards',
      maxCount: PUBLISH_DECIDER_TAIL,
    });
    // The stream holds only the publish events: the decider wrote every one of them.
    return fold(publishDecider, last as unknown as EventPayload<PublishEvent>[]);
  }

  /** The state after the record; null when another publisher on the same log recorded this build first. */
  private async record(command: PublishCommand, context: EventContext): Promise<PublishState | null> {
    try {
      const { events } = await this.deps.commands.handle(
        publishStreamId(this.deps.target),
        publishDecider,
        command,
        context,
        { tail: PUBLISH_DECIDER_TAIL },
      );
      return fold(publishDecider, events);
    } catch (error) {
      if (error instanceof PublishAlreadyRecordedError) return null;
      throw error;
    }
  }

  /** The offer for a successful build, or null for a bisection step. */
  private async offerOf(event: RecordedEvent<BuildSucceeded>): Promise<PublishedBuildRef | null> {
    const [first] = await this.deps.store.readStream(event.streamId, { maxCount: 1 });
    if (first?.type !== 'CommitDiscovered') return null;
    const commit = first.data as CommitDiscovered['data'];
    if (isBisectionStep(commit)) return null;
    return {
      target: this.deps.target,
      buildStream: event.streamId,
      buildId: event.data.buildId,
      position: event.position,
      package: commit.package,
      commitHash: commit.commitHash,
      distroHash: commit.distroHash,
      repoUrl: `${this.deps.baseurl.replace(/\/+$/, '')}/${event.data.repoDir}`,
    };
  }
}
