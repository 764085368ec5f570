import { describe, expect, it } from 'vitest';
import { isKnownEventType } from '../catalogue.js';
import { ALL_PROJECTIONS } from './index.js';

describe('ALL_PROJECTIONS', () => {
  it('holds fourteen projections with distinct table-safe names', () => {
    const names = ALL_PROJECTIONS.map((p) => p.name);
    expect(names).toHaveLength(14);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  describe.each(ALL_PROJECTIONS.map((p) => [p.name, p] as const))('%s', (_name, projection) => {
    it('reads only catalogued event types', () => {
      expect(projection.eventTypes.length).toBeGreaterThan(0);
      for (const type of projection.eventTypes) expect(isKnownEventType(type)).toBe(true);
    });

    it('indexes declared, table-safe columns only', () => {
      const columns = Object.keys(projection.columns);
      for (const column of columns) expect(column).toMatch(/^[a-z][a-z0-9_]*$/);
      for (const index of projection.indexes) for (const column of index) expect(columns).toContain(column);
    });
  });
});
