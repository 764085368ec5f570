import type { Provider } from '@nestjs/common';
import { PushReceiver } from '#application/webhooks/push-receiver.js';
import { ChangeRequester } from '#application/change-builds/change-requester.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import type { PackagesLoader } from '#infrastructure/nest/tokens.js';

/** The PushReceiver of `POST /api/webhooks/{forge}`, over the app's store, clock, ids and package list. */
export function webhookProviders(config: DlrnConfig, loadPackages: PackagesLoader): Provider[] {
  return [
    {
      provide: PushReceiver,
      inject: [EventStore, IdGenerator, Clock],
      useFactory: (store: EventStore, ids: IdGenerator, clock: Clock) =>
        new PushReceiver({
          store,
          ids,
          clock,
          secrets: config.webhooks,
          defaults: { source: config.default.source, distro: config.default.distro },
          loadPackages,
          changes: config.changes.enabled ? new ChangeRequester(store, ids, clock) : null,
        }),
    },
  ];
}
