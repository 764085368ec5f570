import { describe, expect, it } from 'vitest';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';
import { usersProjection } from './users.projection.js';

describe('users projection', () => {
  describe('when a user was created and its password changed', () => {
    const log = new EventLog();
    const created = log.append('user-alice', 'UserCreated', { username: 'alice', passwordHash: '$6$old' });
    const changed = log.append('user-alice', 'UserPasswordChanged', { username: 'alice', passwordHash: '$scrypt$new' });

    it('keeps the new hash to authenticate with', () => {
      const docs = given(log.events).then(usersProjection);
      expect(docs.get('alice')).toEqual({
        username: 'alice',
        passwordHash: '$scrypt$new',
        createdAt: created.metadata.occurredAt,
        updatedAt: changed.metadata.occurredAt,
        lastPosition: changed.position,
      });
      expect(rowsOf(usersProjection, docs).get('alice')).toEqual({ username: 'alice' });
    });

    it('gives the same document when the events are replayed', () => {
      expect(given(log.events).replayedTwice(usersProjection)).toEqual(given(log.events).then(usersProjection));
    });
  });

  describe('when an imported $6$ hash was rehashed to scrypt', () => {
    const log = new EventLog();
    log.append('user-carol', 'UserCreated', { username: 'carol', passwordHash: '$6$imported' });
    const rehashed = log.append('user-carol', 'UserPasswordRehashed', {
      username: 'carol',
      passwordHash: '$scrypt$same-password',
      from: 'sha512_crypt',
    });

    it('authenticates with the scrypt hash, and a replay keeps it', () => {
      const doc = given(log.events).then(usersProjection).get('carol');
      expect(doc).toMatchObject({ passwordHash: '$scrypt$same-password', lastPosition: rehashed.position });
      expect(given(log.events).replayedTwice(usersProjection)).toEqual(given(log.events).then(usersProjection));
    });
  });

  describe('when roles were set', () => {
    it('keeps them through a password change, and a replay gives the same', () => {
      const log = new EventLog();
      log.append('user-dave', 'UserCreated', { username: 'dave', passwordHash: '$scrypt$a' });
      log.append('user-dave', 'UserRolesSet', { username: 'dave', roles: ['read', 'vote'] });
      log.append('user-dave', 'UserPasswordChanged', { username: 'dave', passwordHash: '$scrypt$b' });
      expect(given(log.events).then(usersProjection).get('dave')).toMatchObject({
        passwordHash: '$scrypt$b',
        roles: ['read', 'vote'],
      });
      expect(given(log.events).replayedTwice(usersProjection)).toEqual(given(log.events).then(usersProjection));
    });
  });

  describe('when the creation is delivered again after a password change', () => {
    it('keeps the changed hash', () => {
      const log = new EventLog();
      const created = log.append('user-alice', 'UserCreated', { username: 'alice', passwordHash: '$6$old' });
      log.append('user-alice', 'UserPasswordChanged', { username: 'alice', passwordHash: '$scrypt$new' });
      expect(
        given([...log.events, created])
          .then(usersProjection)
          .get('alice')?.passwordHash,
      ).toBe('$scrypt$new');
    });
  });

  describe('when a user was deleted', () => {
    it('has no document, even after a replay', () => {
      const log = new EventLog();
      log.append('user-bob', 'UserCreated', { username: 'bob', passwordHash: '$6$x' });
      log.append('user-bob', 'UserDeleted', { username: 'bob' });
      expect(given(log.events).then(usersProjection).has('bob')).toBe(false);
      expect(given(log.events).replayedTwice(usersProjection).has('bob')).toBe(false);
    });

    it('exists again with the new hash when re-created, and a replay keeps it', () => {
      const log = new EventLog();
      log.append('user-bob', 'UserCreated', { username: 'bob', passwordHash: '$6$x' });
      log.append('user-bob', 'UserDeleted', { username: 'bob' });
      log.append('user-bob', 'UserCreated', { username: 'bob', passwordHash: '$6$y' });
      expect(given(log.events).then(usersProjection).get('bob')?.passwordHash).toBe('$6$y');
      expect(given(log.events).replayedTwice(usersProjection).get('bob')?.passwordHash).toBe('$6$y');
    });
  });

  describe('when a password change arrives for an unknown user', () => {
    it('creates nothing', () => {
      const log = new EventLog();
      log.append('user-eve', 'UserPasswordChanged', { username: 'eve', passwordHash: '$6$z' });
      expect(given(log.events).then(usersProjection).size).toBe(0);
    });
  });
});
