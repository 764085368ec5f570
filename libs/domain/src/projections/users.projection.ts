import type { Role } from '../user/user-roles.js';
import type {
  UserCreated,
  UserDeleted,
  UserPasswordChanged,
  UserPasswordRehashed,
  UserRolesSet,
} from '../user/user.events.js';
import type { ProjectionDefinition, RecordedOf } from './projection.js';

/** DLRN's `users` row. The hash stays: the API checks Basic credentials against it. */
export interface UserDoc {
  readonly username: string;
  /** Modular crypt form: `$scrypt$…` (ours) or `$6$…` (imported from DLRN). */
  readonly passwordHash: string;
  /** What the user may do; absent or empty: everything (DLRN has no roles). */
  readonly roles?: readonly Role[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastPosition: number;
}

type Folded = UserCreated | UserPasswordChanged | UserPasswordRehashed | UserRolesSet | UserDeleted;

function evolve(doc: UserDoc | null, event: RecordedOf<Folded>): UserDoc | null {
  if (doc !== null && event.position <= doc.lastPosition) return doc;
  const e = event;
  const at = event.metadata.occurredAt;
  switch (e.type) {
    case 'UserCreated':
      return {
        username: e.data.username,
        passwordHash: e.data.passwordHash,
        createdAt: at,
        updatedAt: at,
        lastPosition: event.position,
      };
    case 'UserPasswordChanged':
    case 'UserPasswordRehashed':
      // A change for a user we never saw created cannot authenticate anyone: keep nothing.
      return doc && { ...doc, passwordHash: e.data.passwordHash, updatedAt: at, lastPosition: event.position };
    case 'UserRolesSet':
      return doc && { ...doc, roles: e.data.roles, updatedAt: at, lastPosition: event.position };
    case 'UserDeleted':
      return null;
    default:
      return doc;
  }
}

/** API users (key: username). */
export const usersProjection: ProjectionDefinition<UserDoc, Folded, 'username'> = {
  name: 'users',
  version: 1,
  eventTypes: ['UserCreated', 'UserPasswordChanged', 'UserPasswordRehashed', 'UserRolesSet', 'UserDeleted'],
  keys: (event) => [event.data.username],
  evolve: (doc, event) => evolve(doc, event),
  columns: { username: 'text' },
  row: (doc) => ({ username: doc.username }),
  indexes: [],
};
