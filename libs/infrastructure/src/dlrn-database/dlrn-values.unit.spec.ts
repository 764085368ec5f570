import { describe, expect, it } from 'vitest';
import { flag, optNumber, optText, text } from './dlrn-values.js';

describe('column values as SQLite and MariaDB hand them over', () => {
  it('reads booleans from SQLite integers, TINYINT(1), BIT(1) buffers and big integers', () => {
    expect([1, '1', true, 1n, Buffer.from([1])].map(flag)).toEqual([1, 1, 1, 1, 1]);
    expect([0, '0', false, 0n, Buffer.from([0]), null, undefined, 2].map(flag)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('reads epoch seconds from integers, big-number strings and DATETIME dates', () => {
    expect(optNumber(1700000100)).toBe(1700000100);
    expect(optNumber('1700000100')).toBe(1700000100);
    expect(optNumber(1700000100.5)).toBe(1700000100.5);
    expect(optNumber(new Date('2023-11-14T22:15:00.900Z'))).toBe(1700000100);
    expect([null, undefined, '', 'soon', new Date(Number.NaN)].map(optNumber)).toEqual([null, null, null, null, null]);
  });

  it('reads text from strings and binary columns, NULL as null (or empty where required)', () => {
    expect(optText(Buffer.from('python-fôo'))).toBe('python-fôo');
    expect(optText(null)).toBeNull();
    expect(text(null)).toBe('');
    expect(text(42)).toBe('42');
  });
});
