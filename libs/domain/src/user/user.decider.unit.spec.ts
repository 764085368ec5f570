import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import { checkUsername, userDecider, type UserCommand } from './user.decider.js';
import { passwordSchemeOf, userStreamId } from './user.events.js';

const spec = deciderSpec(userDecider);
const created = { type: 'UserCreated', data: { username: 'ci', passwordHash: '$scrypt$a' } } as const;

describe('users', () => {
  describe('when the user does not exist', () => {
    it('creates it', () => {
      spec.given([]).when({ type: 'CreateUser', username: 'ci', passwordHash: '$scrypt$a' }).then([created]);
    });

    it('refuses an update or a delete naming the user', () => {
      spec
        .given([])
        .when({ type: 'ChangePassword', username: 'ci', passwordHash: 'x' })
        .thenThrows('USER_NOT_FOUND', /ci/);
      spec.given([]).when({ type: 'DeleteUser', username: 'ci' }).thenThrows('USER_NOT_FOUND');
    });
  });

  describe('when the user exists', () => {
    it('refuses to create it again', () => {
      spec
        .given([created])
        .when({ type: 'CreateUser', username: 'ci', passwordHash: 'x' })
        .thenThrows('USER_EXISTS', /already exists/);
    });

    it('changes the password and deletes it', () => {
      spec
        .given([created])
        .when({ type: 'ChangePassword', username: 'ci', passwordHash: '$6$b' })
        .then([{ type: 'UserPasswordChanged', data: { username: 'ci', passwordHash: '$6$b' } }]);
      spec
        .given([created])
        .when({ type: 'DeleteUser', username: 'ci' })
        .then([{ type: 'UserDeleted', data: { username: 'ci' } }]);
    });
  });

  describe('when the user was deleted', () => {
    it('can be created again', () => {
      spec
        .given([created, { type: 'UserDeleted', data: { username: 'ci' } }])
        .when({ type: 'CreateUser', username: 'ci', passwordHash: 'n' })
        .then([{ type: 'UserCreated', data: { username: 'ci', passwordHash: 'n' } }]);
    });
  });

  describe('when an imported user logged in with its $6$ password', () => {
    const imported = { type: 'UserCreated', data: { username: 'ci', passwordHash: '$6$dlrn' } } as const;
    const rehash = { type: 'RehashPassword', username: 'ci', replaces: '$6$dlrn', passwordHash: '$scrypt$n' } as const;

    it('stores the same password under scrypt, naming the scheme it replaces', () => {
      spec
        .given([imported])
        .when(rehash)
        .then([
          { type: 'UserPasswordRehashed', data: { username: 'ci', passwordHash: '$scrypt$n', from: 'sha512_crypt' } },
        ]);
    });

    it('does nothing once rehashed, after a password change, or when the user is gone', () => {
      const rehashed = {
        type: 'UserPasswordRehashed',
        data: { username: 'ci', passwordHash: '$scrypt$n', from: 'sha512_crypt' },
      } as const;
      spec.given([imported, rehashed]).when(rehash).thenNothingHappens();
      spec
        .given([imported, { type: 'UserPasswordChanged', data: { username: 'ci', passwordHash: '$scrypt$c' } }])
        .when(rehash)
        .thenNothingHappens();
      spec
        .given([imported, { type: 'UserDeleted', data: { username: 'ci' } }])
        .when(rehash)
        .thenNothingHappens();
      spec.given([]).when(rehash).thenNothingHappens();
    });

    it('refuses a new hash that is not scrypt', () => {
      spec
        .given([imported])
        .when({ ...rehash, passwordHash: '$6$weaker' })
        .thenThrows('INVALID_VALUE');
    });
  });

  describe('roles', () => {
    it('creates a user with roles, sorted and without repeats, and without any by default', () => {
      spec
        .given([])
        .when({ type: 'CreateUser', username: 'ci', passwordHash: '$scrypt$a', roles: ['vote', 'read', 'vote'] })
        .then([created, { type: 'UserRolesSet', data: { username: 'ci', roles: ['read', 'vote'] } }]);
      spec.given([]).when({ type: 'CreateUser', username: 'ci', passwordHash: '$scrypt$a', roles: [] }).then([created]);
    });

    it('sets them again, and does nothing when they are the same', () => {
      const voter = { type: 'UserRolesSet', data: { username: 'ci', roles: ['vote'] } } as const;
      spec
        .given([created, voter])
        .when({ type: 'SetRoles', username: 'ci', roles: ['promote', 'vote'] })
        .then([{ type: 'UserRolesSet', data: { username: 'ci', roles: ['vote', 'promote'] } }]);
      spec
        .given([created, voter])
        .when({ type: 'SetRoles', username: 'ci', roles: ['vote'] })
        .thenNothingHappens();
      spec
        .given([created, voter])
        .when({ type: 'SetRoles', username: 'ci', roles: [] })
        .then([{ type: 'UserRolesSet', data: { username: 'ci', roles: [] } }]);
    });

    it('refuses roles for a user that does not exist, and a re-created user has none', () => {
      spec
        .given([])
        .when({ type: 'SetRoles', username: 'ci', roles: ['vote'] })
        .thenThrows('USER_NOT_FOUND');
      spec
        .given([
          created,
          { type: 'UserRolesSet', data: { username: 'ci', roles: ['vote'] } },
          { type: 'UserDeleted', data: { username: 'ci' } },
          created,
        ])
        .when({ type: 'SetRoles', username: 'ci', roles: [] })
        .thenNothingHappens();
    });
  });

  it('refuses a username with whitespace or a colon', () => {
    spec.given([]).when({ type: 'CreateUser', username: 'a b', passwordHash: 'x' }).thenThrows('INVALID_VALUE');
    spec.given([]).when({ type: 'CreateUser', username: 'a:b', passwordHash: 'x' }).thenThrows('INVALID_VALUE');
  });

  describe('when the user was deleted', () => {
    it('refuses a password change, a delete and new roles, naming the user', () => {
      const gone = [created, { type: 'UserDeleted', data: { username: 'ci' } }] as const;
      spec
        .given([...gone])
        .when({ type: 'ChangePassword', username: 'ci', passwordHash: 'x' })
        .thenThrows('USER_NOT_FOUND', /^User ci does not exist$/);
      spec
        .given([...gone])
        .when({ type: 'DeleteUser', username: 'ci' })
        .thenThrows('USER_NOT_FOUND', /^User ci does not exist$/);
      spec
        .given([...gone])
        .when({ type: 'SetRoles', username: 'ci', roles: ['vote'] })
        .thenThrows('USER_NOT_FOUND', /^User ci does not exist$/);
    });
  });

  describe('when a user logged in with a scrypt password of older parameters', () => {
    it('stores the new scrypt hash, naming scrypt as the scheme it replaces', () => {
      spec
        .given([created])
        .when({ type: 'RehashPassword', username: 'ci', replaces: '$scrypt$a', passwordHash: '$scrypt$b' })
        .then([{ type: 'UserPasswordRehashed', data: { username: 'ci', passwordHash: '$scrypt$b', from: 'scrypt' } }]);
    });
  });

  describe('when the stored hash is of no known scheme', () => {
    it('refuses to replace it, naming the new hash', () => {
      const plain = { type: 'UserCreated', data: { username: 'ci', passwordHash: 'plain' } } as const;
      spec
        .given([plain])
        .when({ type: 'RehashPassword', username: 'ci', replaces: 'plain', passwordHash: '$scrypt$n' })
        .thenThrows('INVALID_VALUE', /^invalid passwordHash "\$scrypt\$n": a \$scrypt\$ hash replacing/);
    });
  });

  describe('when the command is of no known type', () => {
    it('refuses it, naming it a user command', () => {
      expect(() =>
        userDecider.decide({ type: 'RenameUser', username: 'ci' } as unknown as UserCommand, { exists: false }),
      ).toThrow(/^unexpected user command: \{"type":"RenameUser","username":"ci"\}$/);
    });

    it('refuses to fold an event of no known type, naming it a user event', () => {
      expect(() =>
        userDecider.evolve({ exists: false }, { type: 'UserRenamed', data: { username: 'ci' } } as never),
      ).toThrow(/^unexpected user event: \{"type":"UserRenamed","data":\{"username":"ci"\}\}$/);
    });
  });
});

describe('usernames', () => {
  it('accept 1 to 255 characters of anything but whitespace, a colon and control characters', () => {
    expect(checkUsername('a')).toBe('a');
    expect(checkUsername('é'.repeat(255))).toBe('é'.repeat(255));
    for (const refused of ['', 'x'.repeat(256), 'a\tb', 'a\u0007b', 'a\u007fb']) {
      expect(() => checkUsername(refused)).toThrow(/^invalid username .*: 1 to 255 characters, no whitespace or ":"$/);
    }
  });

  it('name the user stream', () => {
    expect(userStreamId('ci')).toBe('user-ci');
  });

  it('tell the password scheme from the hash prefix', () => {
    expect(passwordSchemeOf('$scrypt$16384$8$1$salt$hash')).toBe('scrypt');
    expect(passwordSchemeOf('$6$salt$hash')).toBe('sha512_crypt');
    expect(passwordSchemeOf('$5$salt$hash')).toBeNull();
    expect(passwordSchemeOf('x$6$')).toBeNull();
  });
});
