import type { AllStreamResolvedEvent, AllStreamSubscription } from '@kurrent/kurrentdb-client';
import type { SubscribeOptions, Subscription, SubscriptionBatch } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import type { KurrentDbClientLike } from './kurrentdb-event-store.adapter.js';
import {
  matchesFilter,
  positionOf,
  toReadPosition,
  toRecordedEvent,
  toSafeNumber,
  toServerFilter,
} from './kurrentdb-event-store.mapping.js';

/** What the adapter needs of a server subscription: events, catch-up signals, flow control. */
export type KurrentDbSubscriptionLike = Pick<
  AllStreamSubscription,
  'on' | 'pause' | 'resume' | 'unsubscribe' | 'readableLength'
>;

const DEFAULT_PAGE = 1000;

type Item =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  | { readonly kind: 'position'; readonly position: number }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' };

/**
 * Turns the client's per-event catch-up subscription into batches. Events are queued as the
 * client emits them; `caughtUp`, `fellBehind` and filter checkpoints are queued as markers at
 * the point of the event flow where the server sent them. The client emits those signals at
 * once but its events may still wait in its stream buffer, so a marker is placed after the
 * `readableLength` events still buffered. A batch takes what is queued, up to `maxBatchSize`,
 * and ends at a `caughtUp` marker so that the batch flagged caught-up completes the history.
 */
export class KurrentDbSubscription implements Subscription {
  private readonly queue: Item[] = [];
  private readonly deferred: { at: number; item: Item }[] = [];
  private readonly source: KurrentDbSubscriptionLike;
  private readonly after: number;
  private readonly maxBatchSize: number;
  private received = 0;
  private finished = false;
  private closed = false;
  private paused = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(
    client: KurrentDbClientLike,
    private readonly options: SubscribeOptions,
    private readonly onClose: (s: KurrentDbSubscription) => void,
  ) {
    this.after = options.after ?? 0;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_PAGE;
    this.source = client.subscribeToAll({
      fromPosition: toReadPosition(this.after), // exclusive on the server, like our `after`
      filter: toServerFilter(options.filter, (_, position) => {
        this.mark({ kind: 'position', position: toSafeNumber(position.commit, 'checkpoint') });
      }),
    });
    this.source.on('data', (resolved: AllStreamResolvedEvent) => this.onEvent(resolved));
    // The caught-up report's own position is not used: a server may name there an event it has
    // yet to deliver (the first live one), and storing it as a checkpoint would skip that event.
    this.source.on('caughtUp', () => this.mark({ kind: 'caughtUp' }));
    this.source.on('fellBehind', () => this.mark({ kind: 'fellBehind' }));
    this.source.on('error', (error: Error) => this.fail(error));
    this.source.on('end', () => this.finish());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.notify();
    // The client's unsubscribe rejects when the call never started (server unreachable): the
    // subscription is dead either way, and its error, if any, was already handed to the reader.
    await this.source.unsubscribe().catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionBatch> {
    let position = this.after;
    let caughtUp = false;
    try {
      for (;;) {
        while (this.queue.length === 0 && !this.closed && !this.finished) {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
        if (this.closed) return;
        if (this.queue.length === 0) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        const before = position;
        const wasCaughtUp: boolean = caughtUp;
        const events: RecordedEvent[] = [];
        while (events.length < this.maxBatchSize) {
          const item = this.queue.shift();
          if (!item) break;
          if (item.kind === 'event') {
            events.push(item.event);
            position = Math.max(position, item.event.position);
          } else if (item.kind === 'position') {
            position = Math.max(position, item.position);
          } else if (item.kind === 'fellBehind') {
            caughtUp = false;
          } else {
            caughtUp = true;
            break;
          }
        }
        if (this.paused && this.queue.length < this.maxBatchSize) {
          this.paused = false;
          this.source.resume();
        }
        if (events.length > 0 || position > before || caughtUp !== wasCaughtUp) yield { events, position, caughtUp };
      }
    } finally {
      await this.close();
    }
  }

  private onEvent(resolved: AllStreamResolvedEvent): void {
    if (this.finished || this.closed) return;
    this.received += 1;
    try {
      const event =
        resolved.event && matchesFilter(resolved.event, this.options.filter) ? toRecordedEvent(resolved) : undefined;
      const position = positionOf(resolved);
      if (event) this.enqueue({ kind: 'event', event });
      else if (position !== undefined) this.enqueue({ kind: 'position', position });
    } catch (error) {
      this.fail(error);
      return;
    }
    while (this.deferred[0] && this.deferred[0].at <= this.received) this.enqueue(this.deferred.shift()!.item);
  }

  private mark(item: Item): void {
    const at = this.received + this.source.readableLength;
    if (at <= this.received) this.enqueue(item);
    else this.deferred.push({ at, item });
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    // Bounded memory while catching up on a long log: let the client's stream apply backpressure.
    if (!this.paused && this.queue.length >= this.maxBatchSize * 4) {
      this.paused = true;
      this.source.pause();
    }
    this.notify();
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.failure = error;
    this.finish();
    // Events after a failure must not be delivered as if the failed one never existed.
    void this.source.unsubscribe().catch(() => undefined);
  }

  private finish(): void {
    this.finished = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
