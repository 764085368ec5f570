import type { EventStore } from '#domain/shared/event-store.port.js';
import type { PushReceived } from '#domain/webhook/webhook.events.js';
import type { ChangeBuildRequested } from '#domain/change/change.events.js';

/** Pushes recorded after a position: the packages they name (sorted, once each) and how far they were read. */
export interface PushesSeen {
  readonly packages: readonly string[];
  /** Position of the last PushReceived read: the next wait starts after it. */
  readonly position: number;
}

/**
 * Waits until a PushReceived is appended after `after` (by this process or any other sharing the
 * store: the store's subscription follows appends made elsewhere), at most `timeoutMs` or until
 * `signal` aborts. Null when none came. The builder sleeps in it between passes, so a webhook
 * starts a pass at once instead of after `poll_interval`.
 */
export async function waitForPush(
  store: EventStore,
  after: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PushesSeen | null> {
  if (signal.aborted) return null;
  const subscription = store.subscribeToAll({
    after,
    filter: { eventTypes: ['PushReceived', 'ChangeBuildRequested'] },
  });
  const stop = (): void => void subscription.close();
  const timer = setTimeout(stop, timeoutMs);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const batch of subscription) {
      if (batch.events.length === 0) continue;
      const packages = new Set<string>();
      for (const event of batch.events) {
        // A change build request (issue 18 item 2) wakes the builder for its package as a push does.
        if (event.type === 'ChangeBuildRequested') packages.add((event.data as ChangeBuildRequested['data']).package);
        else for (const name of (event.data as PushReceived['data']).packages) packages.add(name);
      }
      return { packages: [...packages].sort(), position: batch.events.at(-1)!.position };
    }
    return null;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
    await subscription.close();
  }
}
