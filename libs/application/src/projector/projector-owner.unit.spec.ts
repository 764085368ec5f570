import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDeadLocalOwner, projectorOwner } from './projector-owner.js';

describe('projector owners', () => {
  it('name this host, this process and a nonce, and differ from one projector to the next', () => {
    const owner = projectorOwner();
    expect(owner).toMatch(new RegExp(`^projector@${hostname().replace(/[.]/g, '\\.')}:${process.pid}:[0-9a-f]{8}$`));
    expect(projectorOwner()).not.toBe(owner);
  });

  describe('whose process is gone', () => {
    // A process that ran and ended: its pid answers ESRCH (pids are not reused that soon).
    const gone = spawnSync('true').pid!;
    const host = 'builder-1.example.org';

    it('is dead on this host only', () => {
      expect(isDeadLocalOwner(`projector@${host}:${gone}:ab12cd34`, host)).toBe(true);
      expect(isDeadLocalOwner(`projector@${host}:${gone}:ab12cd34`, 'builder-2.example.org')).toBe(false);
    });

    it('is never taken from a name that is not exactly an owner', () => {
      for (const holder of [
        `x-projector@${host}:${gone}:ab12cd34`,
        `projector@${host}:${gone}:ab12cd34 `,
        `projector@${host}:${gone}:ab12cd3g`,
        `projector@${host}:${gone}:`,
        `projector@${host}:p${gone}:ab12cd34`,
        `projector@${host}::ab12cd34`,
      ])
        expect(isDeadLocalOwner(holder, host), holder).toBe(false);
    });
  });

  it('is alive while its process runs', () => {
    expect(isDeadLocalOwner(`projector@${hostname()}:${process.ppid}:ab12cd34`)).toBe(false);
    expect(isDeadLocalOwner(projectorOwner())).toBe(false);
  });
});
