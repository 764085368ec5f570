import { describe, expect, it } from 'vitest';
import { mergeValues } from './info.merger.js';

describe('when a later info file repeats a key (distroinfo _merge)', () => {
  it('merges mappings key by key', () => {
    expect(mergeValues({ tags: { a: null } }, { tags: { b: { x: 1 } } })).toEqual({ tags: { a: null, b: { x: 1 } } });
  });

  it('concatenates lists', () => {
    expect(mergeValues(['a@x'], ['b@x'])).toEqual(['a@x', 'b@x']);
  });

  it('lets a later scalar win but keeps the earlier value over a null', () => {
    expect(mergeValues({ a: 1, b: 2 }, { a: 3, b: null, c: null })).toEqual({ a: 3, b: 2, c: null });
  });
});
