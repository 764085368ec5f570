import { rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { changeBuildDecider, type ChangeBuildStreamState } from '#domain/change/change.decider.js';
import {
  CHANGE_BUILD_STREAM_PREFIX,
  changeRepoPath,
  type ChangeBuildEvent,
  type ChangeBuildKey,
} from '#domain/change/change.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventContext, EventPayload } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/** A change build whose repository `dlrn purge` removes. */
export interface ChangePurgeStep {
  readonly streamId: string;
  readonly key: ChangeBuildKey;
  readonly patchset: number;
  /** Relative to datadir. */
  readonly repoPath: string;
  readonly finishedAt: string;
}

const PAGE = 10_000;

/**
 * The change builds that ended before `cutoff` (epoch seconds; `[changes] keep_days`) and whose
 * directory was not purged yet: their own schedule, whatever `--older-than` says of commit builds.
 */
export async function planChangePurge(store: EventStore, cutoff: number): Promise<ChangePurgeStep[]> {
  const states = new Map<string, ChangeBuildStreamState>();
  const finished = new Map<string, string>();
  for (let after = 0; ;) {
    const page = await store.readAll({
      after,
      maxCount: PAGE,
      filter: { streamPrefixes: [CHANGE_BUILD_STREAM_PREFIX] },
    });
    for (const event of page) {
      const payload = event as unknown as EventPayload<ChangeBuildEvent>;
      states.set(
        event.streamId,
        changeBuildDecider.evolve(states.get(event.streamId) ?? changeBuildDecider.initialState(), payload),
      );
      if (event.type === 'ChangeBuildSucceeded' || event.type === 'ChangeBuildFailed')
        finished.set(`${event.streamId}#${(event.data as { patchset: number }).patchset}`, event.metadata.occurredAt);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const steps: ChangePurgeStep[] = [];
  for (const [streamId, state] of states) {
    if (state.key === null) continue;
    for (const p of state.patchsets) {
      const at = finished.get(`${streamId}#${p.patchset}`);
      if (at === undefined || p.purged || Date.parse(at) / 1000 >= cutoff) continue;
      steps.push({
        streamId,
        key: state.key,
        patchset: p.patchset,
        repoPath: changeRepoPath(state.key, p.patchset),
        finishedAt: at,
      });
    }
  }
  return steps.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/** Records each removal (ChangeBuildPurged), then removes the directory: the log first, as `purgeBuilds` does. */
export async function purgeChangeBuilds(
  commands: DeciderCommandHandler,
  datadir: string,
  steps: readonly ChangePurgeStep[],
  context: EventContext,
): Promise<void> {
  const changes = resolve(datadir, 'repos', 'changes');
  for (const step of steps) {
    const dir = resolve(datadir, step.repoPath);
    if (relative(changes, dir).startsWith('..')) throw new Error(`${step.repoPath} is outside ${changes}`);
    await commands.handle(
      step.streamId,
      changeBuildDecider,
      { type: 'PurgeChangeBuild', data: { patchset: step.patchset } },
      context,
    );
    await rm(dir, { recursive: true, force: true });
  }
}
