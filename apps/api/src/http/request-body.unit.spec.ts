import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './request-body.js';

const deeper = (text: string, max = 3) => nestsDeeperThan(Buffer.from(text), max);

describe('JSON nesting depth', () => {
  describe('when arrays and objects nest past the limit', () => {
    it('says so, whichever brackets', () => {
      expect(deeper('[[[[1]]]]')).toBe(true);
      expect(deeper('{"a":{"b":[{"c":1}]}}')).toBe(true);
      expect(deeper(`${'['.repeat(150_000)}${']'.repeat(150_000)}`, 32)).toBe(true);
    });
  });

  describe('when they nest up to the limit', () => {
    it('lets them through, siblings included', () => {
      expect(deeper('[[[1]],[[2]],[[3]]]')).toBe(false);
      expect(deeper('{"a":[{"b":1}],"c":[{"d":2}]}')).toBe(false);
    });
  });

  describe('when brackets are inside strings', () => {
    it('does not count them, escaped quotes and backslashes included', () => {
      expect(deeper('{"a":"[[[[[[[[{{{{{{"}')).toBe(false);
      expect(deeper('{"a":"\\"[[[[[[","b":"\\\\"}')).toBe(false);
      expect(deeper('["\\\\",[[[1]]]]')).toBe(true);
    });
  });
});
