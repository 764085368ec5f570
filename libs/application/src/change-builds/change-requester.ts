import { changeBuildDecider, type ChangeBuildCommand } from '#domain/change/change.decider.js';
import { changeBuildStreamId } from '#domain/change/change.events.js';
import { changeFetchRef, packagesChangedBy } from '#domain/change/change-match.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { Clock, IdGenerator } from '#domain/shared/ports.js';
import type { FollowedDefaults } from '#domain/webhook/push-match.js';
import type { Forge } from '#domain/webhook/webhook.events.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import type { ChangeDelivery } from './forge-change.js';

/** What a change delivery came to; the push receiver answers with it as with a push. */
export type ChangeOutcome =
  | { readonly status: 'ignored'; readonly deliveryId: string; readonly reason: string }
  | { readonly status: 'duplicate'; readonly deliveryId: string }
  | {
      readonly status: 'accepted';
      readonly deliveryId: string;
      readonly packages: readonly string[];
      readonly position: number;
    };

/**
 * Records a forge's change event (issue 18 item 2) in each concerned package's change stream:
 * a new head becomes ChangeBuildRequested (superseding the queued older patch set), a closed or
 * merged change cancels what is queued. Builders wake on the request (`waitForPush`).
 */
export class ChangeRequester {
  private readonly commands: DeciderCommandHandler;

  constructor(
    store: EventStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {
    this.commands = new DeciderCommandHandler(store, ids, clock);
  }

  async receive(
    forge: Forge,
    delivery: ChangeDelivery,
    packages: readonly PackageInfo[],
    defaults: FollowedDefaults,
  ): Promise<ChangeOutcome> {
    const matched = packagesChangedBy(
      packages,
      {
        repositoryUrls: delivery.repositoryUrls,
        targetBranch: delivery.targetBranch,
        ...(delivery.project === undefined ? {} : { project: delivery.project }),
      },
      defaults,
    );
    const where = delivery.project ?? delivery.repositoryUrls[0] ?? '';
    if (matched.length === 0)
      return {
        status: 'ignored',
        deliveryId: delivery.deliveryId,
        reason: `no package follows ${delivery.targetBranch} of ${where}`,
      };
    const context = {
      correlationId: this.ids.next(),
      causationId: null,
      actor: `webhook:${forge}`,
      trigger: 'webhook',
    };
    let position = 0;
    const recorded = new Set<string>();
    for (const found of matched) {
      const key = { forge, change: delivery.change, package: found.package, side: found.side };
      const command: ChangeBuildCommand =
        delivery.action === 'update'
          ? {
              type: 'RequestChangeBuild',
              data: {
                ...key,
                patchset: delivery.patchset,
                repositoryUrl: found.repositoryUrl,
                fetchRef: changeFetchRef(forge, delivery.change, delivery.patchset),
                headSha: delivery.headSha,
                deliveryId: delivery.deliveryId,
                requestedAt: this.clock.now().toISOString(),
              },
            }
          : { type: 'CloseChange', data: { ...key, reason: delivery.reason, deliveryId: delivery.deliveryId } };
      const { append } = await this.commands.handle(changeBuildStreamId(key), changeBuildDecider, command, context);
      if (append !== null) {
        recorded.add(found.package);
        position = Math.max(position, append.position);
      }
    }
    if (recorded.size === 0) {
      if (delivery.action === 'close')
        return { status: 'ignored', deliveryId: delivery.deliveryId, reason: 'no build of this change was queued' };
      return { status: 'duplicate', deliveryId: delivery.deliveryId };
    }
    return { status: 'accepted', deliveryId: delivery.deliveryId, packages: [...recorded].sort(), position };
  }
}
