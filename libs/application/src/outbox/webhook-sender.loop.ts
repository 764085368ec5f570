import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadModelStore } from '#domain/projections/projection.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { WebhookOutConfig } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { HttpWebhookTransport } from '#infrastructure/http-out/http-webhook.transport.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { projectorOwner } from '../projector/projector-owner.js';
import { WebhookSender } from './webhook-sender.js';

/** How often a standby sender tries to take the lease; back-off after a failed run. */
const STANDBY_RETRY_MS = 5_000;
const backoffMs = (failures: number): number => Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5));

export interface WebhookSenderLoopOptions {
  readonly webhook: WebhookOutConfig;
  /** CloudEvents `source`: the service's base URL. */
  readonly source: string;
  readonly log: (line: string) => void;
  readonly standbyRetryMs?: number;
}

/**
 * Runs the outgoing webhook's sender until `signal` aborts, where the projector runs (`dlrn
 * projector`, `dlrn serve`): standing by while another process holds its lease, taking over when
 * that lease is free (or its holder, on this host, is dead), and starting again with back-off
 * after a failure (a lost store, a lost lease). Never throws: the projector must go on.
 */
export async function runWebhookSender(
  events: EventStore,
  readModels: ReadModelStore,
  options: WebhookSenderLoopOptions,
  signal: AbortSignal,
): Promise<void> {
  const transport = new HttpWebhookTransport(options.webhook);
  const commands = new DeciderCommandHandler(events, new UuidV7IdGenerator(), new SystemClock());
  const owner = projectorOwner();
  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined);
  let failures = 0;
  let standingBy = false;
  while (!signal.aborted) {
    const sender = new WebhookSender(events, readModels, commands, transport, {
      maxAttempts: options.webhook.maxAttempts,
      retryDelayMs: options.webhook.retryDelayMs,
      retryMaxDelayMs: options.webhook.retryMaxDelayMs,
      source: options.source,
      owner,
      log: options.log,
    });
    try {
      if (!(await sender.start())) {
        if (!standingBy) options.log('webhook: another process sends the webhooks; standing by');
        standingBy = true;
        await pause(options.standbyRetryMs ?? STANDBY_RETRY_MS);
        continue;
      }
      standingBy = false;
      await sender.run(signal);
      failures = 0;
    } catch (error) {
      const wait = backoffMs(failures++);
      options.log(`webhook: ${(error as Error).message}; starting again in ${wait / 1000} s`);
      await pause(wait);
    } finally {
      await sender.stop().catch(() => undefined);
    }
  }
}
