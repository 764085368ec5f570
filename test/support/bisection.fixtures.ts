import { bisectionDecider, type RecordStepResult, type StartBisection } from '#domain/bisection/bisection.decider.js';
import { bisectionStreamId, type BisectionEvent } from '#domain/bisection/bisection.events.js';
import { fold } from '#domain/shared/decider.js';
import type { EventPayload } from '#domain/shared/event.js';

type Payload = EventPayload<BisectionEvent>;

/** Bisection decider fixtures: candidates hash(1)…hash(n) after good hash(0); bad is hash(n). */
export const hash = (n: number) => `c${String(n).padStart(3, '0')}`;
export const BISECTION_ID = bisectionStreamId('nova', 'good', 'bad');
const ID = BISECTION_ID;

export function startOf(n: number): StartBisection {
  const candidates = Array.from({ length: n }, (_, i) => hash(i + 1));
  return {
    type: 'StartBisection',
    bisectionId: ID,
    package: 'nova',
    good: { commitHash: hash(0), distroHash: 'd1', extendedHash: null, buildId: 'b-good' },
    bad: { commitHash: hash(n), distroHash: 'd1', extendedHash: null, buildId: 'b-bad' },
    candidates,
    trigger: 'auto',
  };
}

export const result = (
  step: number,
  commitHash: string,
  status: 'SUCCESS' | 'FAILED',
  extra: Partial<RecordStepResult> = {},
) =>
  ({
    type: 'RecordStepResult',
    step,
    commitHash,
    buildId: `b-${commitHash}`,
    status,
    sameFailure: status === 'FAILED' ? true : null,
    retriesExhausted: false,
    ...extra,
  }) satisfies RecordStepResult;

/**
 * Runs a whole bisection of n candidates (hash(1)…hash(n)) where hash(k) is the first bad
 * commit: each requested step "builds" as SUCCESS before k, FAILED from k on.
 */
export function bisect(n: number, k: number): { events: Payload[]; builds: string[] } {
  const events: Payload[] = [];
  const builds: string[] = [];
  const apply = (command: Parameters<typeof bisectionDecider.decide>[0]) => {
    const decided = bisectionDecider.decide(command, fold(bisectionDecider, events));
    events.push(...decided);
    return decided;
  };
  let last = apply(startOf(n)).at(-1);
  for (let guard = 0; last?.type === 'BisectionStepRequested'; guard++) {
    if (guard > 64) throw new Error('no end');
    const { step, commitHash } = last.data;
    builds.push(commitHash);
    const index = Number(commitHash.slice(1));
    last = apply(result(step, commitHash, index >= k ? 'FAILED' : 'SUCCESS')).at(-1);
  }
  return { events, builds };
}
