import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { claimHolder, isStoppedLocalHolder } from './claim-holder.js';

describe('claim holders', () => {
  it('name the builder id, the host and the process', () => {
    expect(claimHolder('builder-1', 'h1', 42)).toBe('builder-1 (h1:42)');
    expect(claimHolder('builder-1')).toBe(`builder-1 (${hostname()}:${process.pid})`);
  });

  it('judge stopped only a gone process of this host', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    expect(isStoppedLocalHolder(claimHolder('builder-1', hostname(), gone))).toBe(true);
    // Living: this process, its parent.
    expect(isStoppedLocalHolder(claimHolder('builder-1'))).toBe(false);
    expect(isStoppedLocalHolder(claimHolder('builder-1', hostname(), process.ppid))).toBe(false);
    // Another host, or an old claim without host and pid: only its lease can free it.
    expect(isStoppedLocalHolder(claimHolder('builder-1', `not-${hostname()}`, gone))).toBe(false);
    expect(isStoppedLocalHolder('builder-1')).toBe(false);
    // Host and pid are the holder's last words: the same text inside an old builder id is not them.
    expect(isStoppedLocalHolder(`builder (${hostname()}:${gone}) of old`)).toBe(false);
  });
});
