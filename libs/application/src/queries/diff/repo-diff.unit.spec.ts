import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotOfVersionsCsv, type SnapshotPackage } from './repo-diff.js';

const pkg = (
  name: string,
  commitHash: string,
  distroHash = 'd1',
  nvr: string | null = `${name}-1`,
): SnapshotPackage => ({
  name,
  commitHash,
  distroHash,
  status: 'SUCCESS',
  nvr,
});

describe('diffSnapshots', () => {
  describe('when packages come, go and move between two snapshots', () => {
    const from = [pkg('nova', 'n1'), pkg('glance', 'g1'), pkg('keystone', 'k1'), pkg('swift', 's1')];
    const to = [pkg('swift', 's1'), pkg('nova', 'n2', 'd1', 'nova-2'), pkg('glance', 'g1', 'd2'), pkg('cinder', 'c1')];
    const diff = diffSnapshots(from, to);

    it('lists added and removed packages by name', () => {
      expect(diff.added.map((p) => p.name)).toEqual(['cinder']);
      expect(diff.removed.map((p) => p.name)).toEqual(['keystone']);
    });

    it('says for each change whether upstream or dist-git moved, sorted by name, and counts the rest', () => {
      expect(diff.changed.map((c) => [c.name, c.upstreamChanged, c.distgitChanged, c.from.nvr, c.to.nvr])).toEqual([
        ['glance', false, true, 'glance-1', 'glance-1'],
        ['nova', true, false, 'nova-1', 'nova-2'],
      ]);
      expect(diff.unchanged).toBe(1);
    });

    it('is the mirror image the other way round', () => {
      const back = diffSnapshots(to, from);
      expect(back.added).toEqual(diff.removed);
      expect(back.removed).toEqual(diff.added);
      expect(back.changed.map((c) => [c.name, c.from, c.to])).toEqual(diff.changed.map((c) => [c.name, c.to, c.from]));
    });
  });

  describe('when only the status changed (a package failing in the newer snapshot)', () => {
    it('counts it as changed, with neither commit moved', () => {
      const diff = diffSnapshots([pkg('nova', 'n1')], [{ ...pkg('nova', 'n1'), status: 'FAILED' }]);
      expect(diff.changed).toMatchObject([{ name: 'nova', upstreamChanged: false, distgitChanged: false }]);
      expect(diff.unchanged).toBe(0);
    });
  });

  describe('when both sides are the same snapshot', () => {
    it('finds nothing but unchanged packages', () => {
      const same = [pkg('nova', 'n1'), pkg('glance', 'g1')];
      expect(diffSnapshots(same, same)).toEqual({ added: [], removed: [], changed: [], unchanged: 2 });
    });
  });
});

describe('snapshotOfVersionsCsv', () => {
  it("reads DLRN's columns, an empty NVR as null, and skips rows without a project", () => {
    expect(
      snapshotOfVersionsCsv([
        { Project: 'nova', 'Source Sha': 'n1', 'Dist Sha': 'd1', Status: 'SUCCESS', 'Pkg NVR': 'nova-1' },
        { Project: 'glance', 'Source Sha': 'g1', 'Dist Sha': 'd2', Status: 'FAILED', 'Pkg NVR': '' },
        { Project: '' },
      ]),
    ).toEqual([
      { name: 'nova', commitHash: 'n1', distroHash: 'd1', status: 'SUCCESS', nvr: 'nova-1' },
      { name: 'glance', commitHash: 'g1', distroHash: 'd2', status: 'FAILED', nvr: null },
    ]);
  });
});
