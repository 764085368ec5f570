import type { EventFilter } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';

/** What a reader of the history asks for; every field is optional (null: no filter). */
export interface HistoryFilter {
  /** Known event types (checked by the caller); empty or null: every type. */
  readonly types?: readonly string[] | null;
  /** A valid package name: its build, package and bisection streams. */
  readonly package?: string | null;
  /** One exact stream (a build's commit stream). */
  readonly stream?: string | null;
}

/**
 * The filter as the store runs it (stream prefixes, event types), and the exact test the events
 * it hands back must still pass: a prefix is not a stream name (`package-python-nova` is a prefix
 * of `package-python-novaclient`, and a build stream without extended hash of one with it).
 */
export interface CompiledHistoryFilter {
  readonly store: EventFilter | undefined;
  readonly accepts: (event: RecordedEvent) => boolean;
}

export function compileHistoryFilter(filter: HistoryFilter): CompiledHistoryFilter {
  const types = filter.types && filter.types.length > 0 ? [...new Set(filter.types)] : null;
  const pkg = filter.package ?? null;
  const stream = filter.stream ?? null;
  // A package's streams are `build-<pkg>@…`, `bisection-<pkg>@…` and exactly `package-<pkg>`;
  // a package name holds no `@`, so the first two prefixes are exact.
  const prefixes =
    stream !== null ? [stream] : pkg !== null ? [`build-${pkg}@`, `bisection-${pkg}@`, `package-${pkg}`] : null;
  const ofPackage = (id: string): boolean =>
    id === `package-${pkg}` || id.startsWith(`build-${pkg}@`) || id.startsWith(`bisection-${pkg}@`);
  const typeSet = types === null ? null : new Set(types);
  return {
    store:
      prefixes === null && types === null
        ? undefined
        : {
            ...(prefixes === null ? {} : { streamPrefixes: prefixes }),
            ...(types === null ? {} : { eventTypes: types }),
          },
    accepts: (event) =>
      (typeSet === null || typeSet.has(event.type)) &&
      (stream === null || event.streamId === stream) &&
      (pkg === null || ofPackage(event.streamId)),
  };
}
