import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import type { Logger } from 'pino';
import { ReadModelStore } from '#domain/projections/index.js';
import { EventStore } from '#domain/shared/event-store.port.js';
import { Clock, IdGenerator } from '#domain/shared/ports.js';
import { PasswordPool } from '#infrastructure/auth/password-pool.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { applyUserCommand } from '#application/users/user-commands.js';
import { ViewVersion } from '../views/view-version.js';
import { Authenticator } from './authenticator.js';

/**
 * The Authenticator with its password threads, its login log (one bounded line per attempt)
 * and its rehash of imported `$6$` passwords through the user's stream.
 */
export function authenticatorProvider(logger: InjectionToken): FactoryProvider<Authenticator> {
  return {
    provide: Authenticator,
    inject: [ReadModelStore, ViewVersion, logger, EventStore, IdGenerator, Clock],
    useFactory: (
      store: ReadModelStore,
      views: ViewVersion,
      log: Logger,
      events: EventStore,
      ids: IdGenerator,
      clock: Clock,
    ) => {
      const users = new DeciderCommandHandler(events, ids, clock);
      return new Authenticator(
        store,
        views,
        (entry) => log[entry.success ? 'info' : 'warn']({ event: 'login', ...entry }, 'authentication'),
        {
          pool: new PasswordPool(),
          rehash: async (username, replaces, passwordHash) => {
            await applyUserCommand(
              users,
              { type: 'RehashPassword', username, replaces, passwordHash },
              { correlationId: ids.next(), causationId: null, actor: `user:${username}`, trigger: 'api' },
            );
          },
          warn: (message, error) => log.warn({ event: 'login', err: error }, message),
        },
      );
    },
  };
}
