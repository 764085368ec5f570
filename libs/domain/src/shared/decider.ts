import type { DomainEvent, EventPayload } from './event.js';

/**
 * A decider owns one stream's invariants: `decide` turns a command and the current state into
 * new events (or throws a DomainError), `evolve` folds one event into the state. Both are pure.
 */
export interface Decider<Command, State, Event extends DomainEvent> {
  readonly decide: (command: Command, state: State) => readonly EventPayload<Event>[];
  readonly evolve: (state: State, event: EventPayload<Event>) => State;
  readonly initialState: () => State;
}

/** A command that asks to record a fact: its data is the event's (or most of it, the rest decided). */
export interface RecordCommand<TType extends string, TData> {
  readonly type: TType;
  readonly data: TData;
}

/** Folds a stream's events into the decider's state. */
export function fold<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
  events: Iterable<EventPayload<Event>>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
