import { expect } from 'vitest';
import type { Decider } from '#domain/shared/decider.js';
import { fold } from '#domain/shared/decider.js';
import type { DomainEvent, EventPayload } from '#domain/shared/event.js';

/**
 * given(events).when(command).then(events) for deciders, in the style of Emmett's
 * DeciderSpecification: state is built only from events, never set by hand.
 */
export function deciderSpec<C, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return {
    given(history: readonly EventPayload<E>[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, fold(decider, history));
          return {
            then(expected: readonly EventPayload<E>[]) {
              expect(run()).toEqual(expected);
            },
            thenNothingHappens() {
              expect(run()).toEqual([]);
            },
            thenThrows(code: string, message?: RegExp) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught, `expected ${code}`).toMatchObject({ code });
              if (message) expect((caught as Error).message).toMatch(message);
            },
          };
        },
        /** The state the history folds to, for assertions about evolve. */
        state(): S {
          return fold(decider, history);
        },
      };
    },
  };
}
