import { schemaVersionOf } from '#domain/catalogue.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { ConcurrencyError, type EventStore } from '#domain/shared/event-store.port.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import { stampEvents } from '#domain/shared/stamp.js';
import { packagesMovedBy, type FollowedDefaults } from '#domain/webhook/push-match.js';
import { webhookDeliveryStreamId, type Forge, type PushReceived } from '#domain/webhook/webhook.events.js';
import type { WebhooksConfig } from '#infrastructure/config/index.js';
import { readDelivery } from './forge-push.js';
import { WebhookPayloadError } from './payload-fields.js';
import type { ChangeOutcome, ChangeRequester } from '../change-builds/change-requester.js';
import { checkSignature, type WebhookHeaders } from './forge-signature.js';

/** What became of a delivery; the API turns it into a status code. */
export type PushOutcome =
  /** 401: unsigned, wrongly signed, or a forge with no secret. Nothing recorded. */
  | { readonly status: 'refused'; readonly reason: string }
  /** 400: signed, but not the forge's documented payload. */
  | { readonly status: 'invalid'; readonly reason: string }
  /** 503: this API has no package list, or it could not be read (`detail`: for the log only). */
  | { readonly status: 'unavailable'; readonly reason: string; readonly detail?: string }
  /**
   * 200 `ignored` (nothing to do: no package follows that branch, a ping, a deleted branch),
   * 200 `duplicate` (the delivery id was recorded before), 202 `accepted` (recorded; builders
   * wake on it): the same for a push as for a change.
   */
  | ChangeOutcome;

export interface PushReceiverDeps {
  readonly store: EventStore;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly secrets: WebhooksConfig;
  /** `[DEFAULT] source` and `distro`: the branches a package follows when it names none. */
  readonly defaults: FollowedDefaults;
  /** The package list; null when this process has none (the delivery is refused with 503). */
  readonly loadPackages: (() => Promise<readonly PackageInfo[]>) | null;
  /** `[changes] enabled`: records pull/merge requests and Gerrit changes; absent or null: they are ignored. */
  readonly changes?: ChangeRequester | null;
}

/**
 * A forge's push webhook (issue 18, item 1): check the signature over the raw body, read the
 * push, find the packages that follow the pushed branch of that repository, and record
 * PushReceived in the delivery's own stream with expected revision "no stream", so that a
 * delivery replayed to any replica, before or after a restart, is recorded once. Never builds:
 * builders subscribed to the log do (`waitForPush`).
 */
export class PushReceiver {
  constructor(private readonly deps: PushReceiverDeps) {}

  async receive(forge: Forge, headers: WebhookHeaders, body: Buffer): Promise<PushOutcome> {
    const signature = checkSignature(forge, this.deps.secrets, headers, body);
    if (!signature.ok) return { status: 'refused', reason: signature.reason };
    let delivery;
    try {
      delivery = readDelivery(forge, headers, body);
    } catch (error) {
      if (error instanceof WebhookPayloadError) return { status: 'invalid', reason: error.message };
      throw error;
    }
    if (delivery.kind === 'ignored')
      return { status: 'ignored', deliveryId: delivery.deliveryId, reason: delivery.reason };
    if (delivery.kind === 'change' && !this.deps.changes)
      return {
        status: 'ignored',
        deliveryId: delivery.deliveryId,
        reason: 'change builds are off ([changes] enabled)',
      };
    if (this.deps.loadPackages === null) {
      return { status: 'unavailable', reason: 'this API was started without package metadata (--info-repo)' };
    }
    let known;
    try {
      known = await this.deps.loadPackages();
    } catch (error) {
      return { status: 'unavailable', reason: 'the package list cannot be read', detail: (error as Error).message };
    }
    if (delivery.kind === 'change') return this.deps.changes!.receive(forge, delivery, known, this.deps.defaults);
    const packages = packagesMovedBy(known, delivery, this.deps.defaults);
    if (packages.length === 0) {
      return {
        status: 'ignored',
        deliveryId: delivery.deliveryId,
        reason: `no package follows ${delivery.ref} of ${delivery.repositoryUrl}`,
      };
    }
    const [event] = stampEvents<PushReceived>(
      [
        {
          type: 'PushReceived',
          data: {
            forge,
            deliveryId: delivery.deliveryId,
            repositoryUrl: delivery.repositoryUrl,
            ref: delivery.ref,
            after: delivery.after,
            packages,
          },
        },
      ],
      { correlationId: this.deps.ids.next(), causationId: null, actor: `webhook:${forge}`, trigger: 'webhook' },
      { ids: this.deps.ids, clock: this.deps.clock, schemaVersion: schemaVersionOf },
    );
    try {
      const { position } = await this.deps.store.append(webhookDeliveryStreamId(forge, delivery.deliveryId), [event!], {
        expectedRevision: 'no_stream',
      });
      return { status: 'accepted', deliveryId: delivery.deliveryId, packages, position };
    } catch (error) {
      if (error instanceof ConcurrencyError) return { status: 'duplicate', deliveryId: delivery.deliveryId };
      throw error;
    }
  }
}
