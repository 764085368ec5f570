import { describe, expect, it } from 'vitest';
import { likePattern } from './like-pattern.js';

describe('an SQL LIKE pattern', () => {
  describe('without wildcards', () => {
    it('is an exact match on its whole text', () => {
      const pattern = likePattern('abc');
      expect([pattern.exact, pattern.prefix]).toEqual([true, 'abc']);
      expect([pattern.matches('abc'), pattern.matches('abcd'), pattern.matches(null)]).toEqual([true, false, false]);
    });
  });

  describe('ending with %', () => {
    it('is a prefix filter', () => {
      const pattern = likePattern('1234567890%%');
      expect([pattern.exact, pattern.prefixOnly, pattern.prefix]).toEqual([false, true, '1234567890']);
      expect(pattern.matches('1234567890_1')).toBe(true);
    });
  });

  describe('with _ and % inside', () => {
    it('matches one character for _ and any run for %, taking the literal head as prefix', () => {
      const pattern = likePattern('12_4%_x');
      expect([pattern.prefixOnly, pattern.prefix]).toEqual([false, '12']);
      expect(pattern.matches('1234_x')).toBe(true);
      expect(pattern.matches('1234abc_x')).toBe(true);
      expect(pattern.matches('124_x')).toBe(false);
      expect(pattern.matches('1234_X')).toBe(false);
    });

    it('matches runs of % and backtracks past false starts', () => {
      expect(likePattern('%%a%%b%%').matches('xxaxxbxx')).toBe(true);
      expect(likePattern('%ab%').matches('aab')).toBe(true);
      expect(likePattern('%a_c').matches('abcabd')).toBe(false);
      expect(likePattern('%a_c').matches('abdabc')).toBe(true);
      expect(likePattern('_%_').matches('x')).toBe(false);
      expect(likePattern('%').matches('')).toBe(true);
    });

    it('answers a pathological pattern against a long value at once (no exponential backtracking)', () => {
      // A backtracking regular expression would not finish this within the test's timeout.
      expect(likePattern(`${'%_'.repeat(40)}!`).matches('a'.repeat(200))).toBe(false);
    });

    it('treats regular-expression characters as text', () => {
      expect(likePattern('a.c%').matches('abc')).toBe(false);
      expect(likePattern('a.c%').matches('a.cd')).toBe(true);
      expect(likePattern('(x|y)').matches('x')).toBe(false);
    });
  });
});
