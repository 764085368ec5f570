import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepStaleStaging } from './staging-dir.js';

describe('when an import starts where earlier imports died mid-download', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-staging-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes their staging directories once a day old, and nothing else', async () => {
    const final = 'abc_def';
    const make = (name: string, ageMs: number) => {
      const path = join(dir, name);
      mkdirSync(path, { recursive: true });
      writeFileSync(join(path, 'build.log'), 'partial');
      const at = (Date.now() - ageMs) / 1000;
      utimesSync(path, at, at);
      return path;
    };
    const day = 24 * 60 * 60 * 1000;
    const dead = make(`.import-${final}-0001`, day + 60_000);
    const live = make(`.import-${final}-0002`, 60_000);
    const otherCommit = make(`.import-other_def-0003`, 2 * day);
    const published = make(final, 2 * day);
    writeFileSync(join(dir, `.import-${final}-file`), 'not a directory');
    await sweepStaleStaging(dir, final);
    expect([dead, live, otherCommit, published].map((p) => existsSync(p))).toEqual([false, true, true, true]);
    expect(existsSync(join(dir, `.import-${final}-file`))).toBe(true);
    await expect(sweepStaleStaging(join(dir, 'missing'), final)).resolves.toBeUndefined();
  });
});
