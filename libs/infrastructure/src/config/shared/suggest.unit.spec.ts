import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from './suggest.js';

describe('when an option name is misspelled', () => {
  it('counts the edits between the two spellings', () => {
    expect(editDistance('maxretry', 'maxretries')).toBe(3);
    expect(editDistance('workers', 'workers')).toBe(0);
    expect(editDistance('', 'tags')).toBe(4);
  });

  it('suggests the closest known name', () => {
    expect(closestMatch('maxretry', ['workers', 'maxretries', 'tags'])).toBe('maxretries');
    expect(didYouMean('rdoinfo-driver', ['DEFAULT', 'rdoinfo_driver'])).toBe(" (did you mean 'rdoinfo_driver'?)");
  });
});

describe('when nothing known is close to the name', () => {
  it('suggests nothing', () => {
    expect(closestMatch('frobnicate', ['workers', 'tags'])).toBeUndefined();
    expect(didYouMean('frobnicate', ['workers'])).toBe('');
  });
});
