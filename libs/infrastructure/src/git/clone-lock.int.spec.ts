import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CloneLockError, cloneLockPath, withCloneLock } from './clone-lock.js';

describe('withCloneLock (flock per clone)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-clone-lock-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('never lets two holders of one clone overlap; other clones are not held up', async () => {
    const dir = join(root, 'pkg');
    let inside = 0;
    let most = 0;
    const order: string[] = [];
    const hold = (name: string) =>
      withCloneLock(dir, async () => {
        inside++;
        most = Math.max(most, inside);
        order.push(`${name}+`);
        await sleep(30);
        order.push(`${name}-`);
        inside--;
        return name;
      });
    const other = withCloneLock(join(root, 'other'), async () => {
      order.push('other');
      return 'other';
    });
    expect(await Promise.all([hold('a'), hold('b'), hold('c'), other])).toEqual(['a', 'b', 'c', 'other']);
    expect(most).toBe(1);
    // Each holder left before the next came in.
    const own = order.filter((o) => o !== 'other');
    for (let i = 0; i < own.length; i += 2) expect(own[i]!.slice(0, 1)).toBe(own[i + 1]!.slice(0, 1));
  });

  it('is released when its holder process is SIGKILLed', async () => {
    const dir = join(root, 'killed');
    // Another process takes the lock the same way (flock holding `cat`) and is killed.
    const child = spawn('flock', ['--exclusive', cloneLockPath(dir), 'sleep', '30'], { stdio: 'ignore' });
    await sleep(200);
    await expect(withCloneLock(dir, async () => 'no', { waitSeconds: 1 })).rejects.toThrow(CloneLockError);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('exit', done));
    expect(await withCloneLock(dir, async () => 'yes', { waitSeconds: 5 })).toBe('yes');
  });

  it('returns the lock when the work throws', async () => {
    const dir = join(root, 'throws');
    await expect(
      withCloneLock(dir, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await withCloneLock(dir, async () => 'after', { waitSeconds: 1 })).toBe('after');
  });
});
