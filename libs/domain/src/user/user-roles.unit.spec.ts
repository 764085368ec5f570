import { describe, expect, it } from 'vitest';
import { mayAct, parseRoles } from './user-roles.js';

describe('user roles', () => {
  it('reads a comma-separated list, sorted, without repeats; empty is none', () => {
    expect(parseRoles('vote, read,vote')).toEqual(['read', 'vote']);
    expect(parseRoles('')).toEqual([]);
    expect(() => parseRoles('read,root')).toThrow(/root/);
  });

  it('skips blank entries and spaces, and names every role when refusing an unknown one', () => {
    expect(parseRoles(' admin , ,promote,')).toEqual(['promote', 'admin']);
    expect(parseRoles(' , ')).toEqual([]);
    expect(() => parseRoles('root')).toThrow(
      /^invalid roles "root": a comma-separated list of read, vote, promote, import, admin$/,
    );
  });

  describe('when a user has no roles (DLRN)', () => {
    it('may do everything', () => {
      expect(mayAct(undefined, 'import')).toBe(true);
      expect(mayAct([], 'promote')).toBe(true);
    });
  });

  describe('when a user has roles', () => {
    it('may read, do what they name, and admin may do everything', () => {
      expect(mayAct(['vote'], 'vote')).toBe(true);
      expect(mayAct(['vote'], 'promote')).toBe(false);
      expect(mayAct(['vote'], 'read')).toBe(true);
      expect(mayAct(['read'], 'vote')).toBe(false);
      expect(mayAct(['admin'], 'import')).toBe(true);
      expect(mayAct(['read'], 'read')).toBe(true);
      expect(mayAct(['vote', 'import'], 'import')).toBe(true);
      expect(mayAct(['vote', 'promote'], 'admin')).toBe(false);
    });
  });
});
