import { setTimeout as sleep } from 'node:timers/promises';
import { DELIVERED_EVENT_TYPES, retryDelayMs, toCloudEvent } from '#domain/delivery/cloud-event.js';
import { deliveryDecider, type DeliveryCommand } from '#domain/delivery/delivery.decider.js';
import { deliveryStreamId, type WebhookRedeliveryRequested } from '#domain/delivery/delivery.events.js';
import type { WebhookTransport } from '#domain/delivery/webhook-transport.port.js';
import { CheckpointConflictError, type ProjectionLock, type ReadModelStore } from '#domain/projections/projection.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { isDeadLocalOwner, projectorOwner } from '../projector/projector-owner.js';
import { DeliveryTracker } from './delivery-tracker.js';

/** The sender's lease and checkpoint, beside the projections' (never active: no view reads it). */
export const SENDER_NAME = 'webhook_sender';
export const SENDER_VERSION = 1;

export interface WebhookSenderOptions {
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** CloudEvents `source`. */
  readonly source: string;
  readonly owner?: string;
  /** Unfinished jobs at most (bounds memory while a receiver is down); default 1000. */
  readonly maxPending?: number;
  /** Requests in flight at once, over every stream. */
  readonly concurrency?: number;
  readonly renewEveryMs?: number;
  /** How often the checkpoint is stored while running. */
  readonly saveEveryMs?: number;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

type Job =
  | { readonly kind: 'delivery'; readonly position: number; readonly event: RecordedEvent }
  | {
      readonly kind: 'redelivery';
      readonly position: number;
      readonly request: RecordedEvent<WebhookRedeliveryRequested>;
    };

/**
 * The outgoing webhook's sender: one catch-up subscription on the log, one lane per stream so
 * that a stream's events arrive in order and a failing one holds up its own stream only, retries
 * with doubling back-off, then a dead letter (an event) and the lane moves on. Redeliveries asked
 * for over the API arrive as events on the same subscription and get a lane of their own.
 *
 * One sender runs at a time: a lease in the read-model store, taken and renewed as projections'
 * are, and a compare-and-set checkpoint stored beside theirs (the highest position at or before
 * which every event is delivered or dead-lettered). A restart resends what came after it: at
 * least once, with the same `webhook-id`.
 */
export class WebhookSender {
  private lock: ProjectionLock | null = null;
  private readonly owner: string;
  private readonly lanes = new Map<string, Job[]>();
  private readonly running = new Set<Promise<void>>();
  private tracker = new DeliveryTracker(0);
  private stored = 0;
  private readonly stopping = new AbortController();
  private failure: unknown = null;
  private progress: (() => void) | null = null;
  private slots: number;
  private readonly slotWaiters: (() => void)[] = [];
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly commands: DeciderCommandHandler,
    private readonly transport: WebhookTransport,
    private readonly options: WebhookSenderOptions,
  ) {
    this.owner = options.owner ?? projectorOwner();
    this.slots = options.concurrency ?? 4;
  }

  /** Takes the lease; false when another sender holds it. */
  async start(): Promise<boolean> {
    this.lock = await this.readModels.tryLock(SENDER_NAME, this.owner, {
      takeOverFrom: (holder) => isDeadLocalOwner(holder),
    });
    return this.lock !== null;
  }

  /** Sends until `signal` aborts (then resolves) or something fails (then throws). */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.lock === null) throw new Error('webhook sender: start() it first');
    this.stored = await this.loadCheckpoint();
    this.tracker = new DeliveryTracker(this.stored);
    this.log(`webhook: delivering events after position ${this.stored} to ${this.transport.endpoint}`);
    const subscription = this.events.subscribeToAll({
      after: this.stored,
      maxBatchSize: 200,
      filter: { eventTypes: [...DELIVERED_EVENT_TYPES, 'WebhookRedeliveryRequested'] },
    });
    const stop = (): void => {
      this.stopping.abort();
      this.progress?.();
      void subscription.close();
    };
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    this.stopping.signal.addEventListener('abort', () => void subscription.close(), { once: true });
    const renewal = setInterval(() => {
      this.lock?.renew?.().then(
        (held) => held || this.fail(new Error('webhook sender: the lease was taken by another sender')),
        (error: unknown) => this.log(`webhook: lease renewal failed (retrying): ${(error as Error).message}`),
      );
    }, this.options.renewEveryMs ?? 10_000);
    const saver = setInterval(() => void this.save(), this.options.saveEveryMs ?? 500);
    try {
      for await (const batch of subscription) {
        for (const event of batch.events) {
          while (this.full() && !this.stopping.signal.aborted) {
            await new Promise<void>((resolve) => (this.progress = resolve));
          }
          if (this.stopping.signal.aborted) break;
          this.enqueue(event);
        }
        if (this.stopping.signal.aborted) break;
        this.tracker.readUpTo(batch.position);
      }
    } finally {
      clearInterval(renewal);
      clearInterval(saver);
      signal?.removeEventListener('abort', stop);
      stop();
      await subscription.close();
      await Promise.allSettled([...this.running]);
      await this.save();
      await this.saving;
    }
    if (this.failure !== null) throw this.failure;
  }

  /** The stored checkpoint. */
  get checkpoint(): number {
    return this.stored;
  }

  /** Releases the lease. */
  async stop(): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    await lock?.release();
  }

  /**
   * Reading waits while too many jobs are unfinished, or too many finished ones wait behind a
   * stream still retrying (they are only positions, but a stuck stream must not grow them forever).
   */
  private full(): boolean {
    const maxPending = this.options.maxPending ?? 1000;
    return this.tracker.unfinished >= maxPending || this.tracker.size >= 100 * maxPending;
  }

  private enqueue(event: RecordedEvent): void {
    const job: Job =
      event.type === 'WebhookRedeliveryRequested'
        ? { kind: 'redelivery', position: event.position, request: event as RecordedEvent<WebhookRedeliveryRequested> }
        : { kind: 'delivery', position: event.position, event };
    const lane = job.kind === 'delivery' ? job.event.streamId : `redelivery:${job.request.data.deliveryId}`;
    this.tracker.add(job.position);
    const queue = this.lanes.get(lane);
    if (queue !== undefined) {
      queue.push(job);
      return;
    }
    this.lanes.set(lane, [job]);
    const worker = this.drain(lane).catch((error: unknown) => this.fail(error));
    this.running.add(worker);
    void worker.finally(() => this.running.delete(worker));
  }

  private async drain(lane: string): Promise<void> {
    const queue = this.lanes.get(lane)!;
    try {
      while (queue.length > 0 && !this.stopping.signal.aborted) {
        const job = queue[0]!;
        if (!(await this.deliver(job))) return;
        queue.shift();
        this.tracker.finish(job.position);
        this.progress?.();
      }
    } finally {
      this.lanes.delete(lane);
    }
  }

  /** True once the job is finished (delivered or dead-lettered); false when stopped first. */
  private async deliver(job: Job): Promise<boolean> {
    const event = job.kind === 'delivery' ? job.event : await this.target(job.request);
    if (event === null) return true;
    const deliveryId = event.metadata.eventId;
    const body = JSON.stringify(toCloudEvent(event, this.options.source));
    const now = this.options.now ?? (() => new Date());
    const firstAttemptAt = now().toISOString();
    const max = this.options.maxAttempts;
    // What the failure records say of the event and the receiver.
    const about = {
      deliveryId,
      eventStreamId: event.streamId,
      eventRevision: event.revision,
      eventPosition: event.position,
      eventType: event.type,
      endpoint: this.transport.endpoint,
    };
    for (let attempt = 1; attempt <= max; attempt++) {
      const lastAttemptAt = now();
      const outcome = await this.withSlot(() =>
        this.transport.send({ id: deliveryId, timestamp: lastAttemptAt, body }),
      );
      if (outcome.ok) {
        const delivered = {
          deliveryId,
          endpoint: this.transport.endpoint,
          attempts: attempt,
          status: outcome.status,
          deliveredAt: lastAttemptAt.toISOString(),
        };
        if (job.kind === 'delivery' && attempt > 1) {
          await this.record(deliveryId, deliveryId, { type: 'RecordDelivered', data: delivered });
        }
        if (job.kind === 'redelivery') {
          await this.record(deliveryId, job.request.metadata.eventId, { type: 'RecordRedelivered', data: delivered });
        }
        return true;
      }
      const last = outcome;
      if (attempt === max) {
        await this.record(deliveryId, job.kind === 'delivery' ? deliveryId : job.request.metadata.eventId, {
          type: 'DeadLetter',
          data: {
            ...about,
            attempts: attempt,
            lastError: last.error,
            lastStatus: last.status,
            firstAttemptAt,
            lastAttemptAt: lastAttemptAt.toISOString(),
          },
        });
        this.log(
          `webhook: ${deliveryId} (${event.type} of ${event.streamId}) dead-lettered after ${attempt} attempts: ${last.error}`,
        );
        return true;
      }
      const wait = retryDelayMs(attempt, this.options.retryDelayMs, this.options.retryMaxDelayMs);
      if (job.kind === 'delivery' && attempt === 1) {
        // Recorded once per delivery, so that operators see it retrying (`GET /api/deliveries`).
        await this.record(deliveryId, deliveryId, {
          type: 'RecordFailure',
          data: {
            ...about,
            attempt,
            error: last.error,
            status: last.status,
            failedAt: lastAttemptAt.toISOString(),
            nextAttemptAt: new Date(lastAttemptAt.getTime() + wait).toISOString(),
          },
        });
      }
      this.log(
        `webhook: ${deliveryId} (${event.type} of ${event.streamId}) attempt ${attempt}/${max} failed: ${last.error}; retrying in ${wait / 1000} s`,
      );
      const stopped = await sleep(wait, false, { signal: this.stopping.signal }).catch(() => true);
      if (stopped) return false;
    }
    return false;
  }

  /** The event a redelivery asks for; null (and a log line) when it is no longer in the log. */
  private async target(request: RecordedEvent<WebhookRedeliveryRequested>): Promise<RecordedEvent | null> {
    const { eventStreamId, eventRevision, deliveryId } = request.data;
    const [event] = await this.events.readStream(eventStreamId, { fromRevision: eventRevision, maxCount: 1 });
    if (event?.metadata.eventId === deliveryId) return event;
    this.log(`webhook: redelivery of ${deliveryId}: the event is no longer in ${eventStreamId}; skipped`);
    return null;
  }

  private async record(deliveryId: string, causationId: string, command: DeliveryCommand): Promise<void> {
    await this.commands.handle(deliveryStreamId(deliveryId), deliveryDecider, command, {
      correlationId: deliveryId,
      causationId,
      actor: 'system',
    });
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.slots === 0) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.slots -= 1;
    try {
      return await work();
    } finally {
      this.slots += 1;
      this.slotWaiters.shift()?.();
    }
  }

  /** First run: no row yet, so start at the head (a new receiver does not get the whole history). */
  private async loadCheckpoint(): Promise<number> {
    const row = (await this.readModels.checkpoints()).find(
      (c) => c.name === SENDER_NAME && c.version === SENDER_VERSION,
    );
    if (row !== undefined) return row.position;
    const head = await this.events.headPosition();
    await this.readModels.transaction((tx) => tx.advanceCheckpoint(SENDER_NAME, SENDER_VERSION, 0, head));
    return head;
  }

  /** Stores the checkpoint if it moved; saves run one after another. */
  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const next = Math.max(this.stored, this.tracker.safePosition);
      if (next <= this.stored) return;
      try {
        await this.readModels.transaction((tx) => tx.advanceCheckpoint(SENDER_NAME, SENDER_VERSION, this.stored, next));
        this.stored = next;
      } catch (error) {
        if (error instanceof CheckpointConflictError)
          this.fail(new Error('webhook sender: another sender moved the checkpoint'));
        else this.log(`webhook: storing the checkpoint failed (retrying): ${(error as Error).message}`);
      }
    });
    return this.saving;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stopping.abort();
    this.progress?.();
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
