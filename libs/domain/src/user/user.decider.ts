import type { Decider } from '../shared/decider.js';
import { DomainError, InvalidValueError, assertNever } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import { ROLES, type Role } from './user-roles.js';
import { passwordSchemeOf, type UserEvent } from './user.events.js';

export type UserCommand =
  /** `roles` absent or empty: DLRN's behaviour, the user may do everything. */
  | {
      readonly type: 'CreateUser';
      readonly username: string;
      readonly passwordHash: string;
      readonly roles?: readonly Role[];
    }
  | { readonly type: 'SetRoles'; readonly username: string; readonly roles: readonly Role[] }
  | { readonly type: 'ChangePassword'; readonly username: string; readonly passwordHash: string }
  | { readonly type: 'DeleteUser'; readonly username: string }
  /**
   * Store the password under our scheme after a successful login: `replaces` is the hash the
   * password was verified against. Nothing happens when it is no longer the stored one (the
   * password changed meanwhile, or another replica rehashed first).
   */
  | {
      readonly type: 'RehashPassword';
      readonly username: string;
      readonly replaces: string;
      readonly passwordHash: string;
    };

export type UserState =
  | { readonly exists: false }
  | { readonly exists: true; readonly passwordHash: string; readonly roles: readonly Role[] };

/** Sorted as ROLES lists them, without repeats: one spelling per set of roles. */
function normalRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((role) => roles.includes(role));
}

export class UserRuleError extends DomainError {}

/** DLRN's users.username is 255 characters; no whitespace or control characters. */
export function checkUsername(username: string): string {
  if (!/^[^\s:\p{Cc}]{1,255}$/u.test(username)) {
    throw new InvalidValueError('username', username, '1 to 255 characters, no whitespace or ":"');
  }
  return username;
}

function decide(command: UserCommand, state: UserState): EventPayload<UserEvent>[] {
  const username = checkUsername(command.username);
  switch (command.type) {
    case 'CreateUser': {
      if (state.exists) throw new UserRuleError('USER_EXISTS', `User ${username} already exists`);
      const roles = normalRoles(command.roles ?? []);
      return [
        { type: 'UserCreated', data: { username, passwordHash: command.passwordHash } },
        ...(roles.length === 0 ? [] : [{ type: 'UserRolesSet' as const, data: { username, roles } }]),
      ];
    }
    case 'SetRoles': {
      if (!state.exists) throw new UserRuleError('USER_NOT_FOUND', `User ${username} does not exist`);
      const roles = normalRoles(command.roles);
      if (roles.join() === state.roles.join()) return [];
      return [{ type: 'UserRolesSet', data: { username, roles } }];
    }
    case 'ChangePassword':
      if (!state.exists) throw new UserRuleError('USER_NOT_FOUND', `User ${username} does not exist`);
      return [{ type: 'UserPasswordChanged', data: { username, passwordHash: command.passwordHash } }];
    case 'DeleteUser':
      if (!state.exists) throw new UserRuleError('USER_NOT_FOUND', `User ${username} does not exist`);
      return [{ type: 'UserDeleted', data: { username } }];
    case 'RehashPassword': {
      if (!state.exists || state.passwordHash !== command.replaces) return [];
      const from = passwordSchemeOf(command.replaces);
      if (from === null || passwordSchemeOf(command.passwordHash) !== 'scrypt') {
        throw new InvalidValueError(
          'passwordHash',
          command.passwordHash,
          'a $scrypt$ hash replacing a $6$ or $scrypt$ one',
        );
      }
      return [{ type: 'UserPasswordRehashed', data: { username, passwordHash: command.passwordHash, from } }];
    }
    default:
      return assertNever(command, 'user command');
  }
}

function evolve(state: UserState, event: EventPayload<UserEvent>): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { exists: true, passwordHash: event.data.passwordHash, roles: [] };
    case 'UserPasswordChanged':
    case 'UserPasswordRehashed':
      return state.exists ? { ...state, passwordHash: event.data.passwordHash } : state;
    case 'UserRolesSet':
      return state.exists ? { ...state, roles: event.data.roles } : state;
    case 'UserDeleted':
      return { exists: false };
    default:
      return assertNever(event, 'user event');
  }
}

/** API users, managed by `dlrn user create|update|delete`. */
export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  decide,
  evolve,
  initialState: () => ({ exists: false }),
};
