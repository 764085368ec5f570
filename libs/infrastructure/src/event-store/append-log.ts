import type { EventStore, StreamAppend } from '#domain/shared/event-store.port.js';
import type { DomainEvent } from '#domain/shared/event.js';

/**
 * `dlrn --debug`: the store, with every append printed once it is recorded (`appended
 * BuildStarted, BuildSucceeded to build-nova@ab_cd at position 42`). A Proxy rather than a
 * subclass, so that every other method of the port (and any added later) passes through as is.
 */
export function withAppendLog(store: EventStore, log: (line: string) => void): EventStore {
  const describe = (streamId: string, events: readonly DomainEvent[], position: number): string =>
    `appended ${events.map((e) => e.type).join(', ')} to ${streamId} at position ${position}`;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return async (streamId: string, events: readonly DomainEvent[], ...rest: unknown[]) => {
          const result = await (target.append as (...args: unknown[]) => ReturnType<EventStore['append']>).call(
            target,
            streamId,
            events,
            ...rest,
          );
          log(describe(streamId, events, result.position));
          return result;
        };
      }
      if (property === 'appendToStreams') {
        return async (appends: readonly StreamAppend[]) => {
          const results = await target.appendToStreams(appends);
          appends.forEach((part, i) => log(describe(part.streamId, part.events, results[i]!.position)));
          return results;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
