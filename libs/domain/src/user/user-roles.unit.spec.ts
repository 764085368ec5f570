import { describe, expect, it } from 'vitest';
import { mayAct, parseRoles } from './user-roles.js';

describe('user roles', () => {
  it('reads a comma-separated list, sorted, without repeats; empty is none', () => {
    expect(parseRoles('vote, read,vote')).toEqual(['read', 'vote']);
    expect(parseRoles('')).toEqual([]);
    expect(() => parseRoles('read,root')).toThrow(/root/);
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
    });
  });
});
