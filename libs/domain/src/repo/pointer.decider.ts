import type { Decider } from '../shared/decider.js';
import type { EventPayload } from '../shared/event.js';
import { pointerStreamId, type PointerMove, type RepoEvent } from './repo.events.js';

/** `current` or `consistent` should point at a build's repository. */
export interface MovePointer {
  readonly type: 'MovePointer';
  readonly pointer: 'current' | 'consistent';
  readonly data: PointerMove;
}

export interface PointerState {
  /** Where the log says the link points; null before its first move. */
  readonly repoDir: string | null;
}

function decide(command: MovePointer, state: PointerState): readonly EventPayload<RepoEvent>[] {
  // The log already points there (a crash between the append and the link): only the link lags.
  if (state.repoDir === command.data.repoDir) return [];
  return [
    command.pointer === 'current'
      ? { type: 'CurrentMoved', data: command.data }
      : { type: 'ConsistentMoved', data: command.data },
  ];
}

function evolve(_state: PointerState, event: EventPayload<RepoEvent>): PointerState {
  return { repoDir: event.data.repoDir };
}

/** The stream a pointer move is decided on: the component's own pointer with components on. */
export function pointerStreamOf(command: MovePointer): string {
  return pointerStreamId(command.pointer, command.data.component);
}

/**
 * The moves of one of `repos/current`, `repos/consistent` (`pointer-<name>`). The log decides
 * where a link points; the link on disk follows the append. The state is the last move alone,
 * so the stream may be read from its end (`POINTER_DECIDER_TAIL`).
 */
export const pointerDecider: Decider<MovePointer, PointerState, RepoEvent> = {
  decide,
  evolve,
  initialState: () => ({ repoDir: null }),
};

/** How many of a pointer stream's last events its state depends on. */
export const POINTER_DECIDER_TAIL = 1;
