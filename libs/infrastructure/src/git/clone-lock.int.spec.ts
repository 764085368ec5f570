import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CloneLockError, withCloneLock } from './clone-lock.js';

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

  it('is released when the process holding it is SIGKILLed', async () => {
    const dir = join(root, 'killed');
    // A builder-like process takes the lock and holds it for ever, then is killed.
    const script = `import { withCloneLock } from ${JSON.stringify(join(import.meta.dirname, 'clone-lock.ts'))};
      await withCloneLock(${JSON.stringify(dir)}, () => { console.log('held'); return new Promise(() => {}); });`;
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((done) => child.stdout!.once('data', () => done()));
    await expect(withCloneLock(dir, async () => 'no', { waitSeconds: 1 })).rejects.toThrow(CloneLockError);
    child.kill('SIGKILL');
    await new Promise((done) => child.on('exit', done));
    expect(await withCloneLock(dir, async () => 'yes', { waitSeconds: 10 })).toBe('yes');
  }, 30_000);

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
