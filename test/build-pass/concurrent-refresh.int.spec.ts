import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshRequest } from '#domain/package/git.ports.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { BuildPass, type PassReport } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { createDemoRepositories, writeDemoConfig, type DemoPackage } from '../../apps/cli/src/demo/demo-example.js';

/**
 * Issue 15, item 6: the refreshes of a pass run `workers` packages at a time (real git clones),
 * and what they find is recorded in DLRN's order whatever order they end in; an unreachable
 * remote skips its package, not the pass.
 */
describe('a pass refreshes its packages concurrently, records in order', () => {
  let root: string;
  let packages: DemoPackage[];
  let store: EventStore;
  let report: PassReport;
  let most = 0;
  const ended: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dlrn-refresh-'));
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages, 'workers=3\n');
    // Two of the three upstreams are unreachable.
    renameSync(packages[1]!.upstream, `${packages[1]!.upstream}.gone`);
    renameSync(packages[2]!.upstream, `${packages[2]!.upstream}.gone`);
    const { config, packages: infos } = await loadConfiguration({
      configFile,
      infoRepo: join(root, 'rdoinfo'),
    });
    store = await openEventStore(config.service.eventStoreTarget);
    const deps = createBuildLoopDeps({ config, packages: infos, store, log: () => undefined });
    // Every package's first refresh waits until all three are in flight (a rendezvous, released
    // at once if they never meet: then `most` stays below 3), then they end last package first.
    let inFlight = 0;
    const arrived: { dir: string; go: () => void }[] = [];
    const rank = (dir: string) => packages.findIndex((p) => dir.endsWith(`/${p.name}`));
    const git = Object.create(deps.git) as typeof deps.git;
    git.refresh = async (request: RefreshRequest) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const first = !request.dir.endsWith('_distro');
      if (first) {
        await new Promise<void>((go) => {
          arrived.push({ dir: request.dir, go });
          if (arrived.length === 3) {
            arrived.sort((a, b) => rank(b.dir) - rank(a.dir)).forEach((a, i) => setTimeout(a.go, i * 300));
          }
          setTimeout(go, 10_000);
        });
      }
      try {
        return await deps.git.refresh(request);
      } finally {
        inFlight--;
        if (first) ended.push(request.dir);
      }
    };
    try {
      report = await new BuildPass({ ...deps, git }).run({ ...DEFAULT_PASS_OPTIONS });
    } finally {
      await deps.close?.();
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('had the refreshes of the three packages in flight at once', () => {
    expect(most).toBe(3);
  });

  it('recorded skips in the packages order, and built the reachable one', async () => {
    const names = packages.map((p) => p.name);
    // The first package's refresh ended last, the skipped ones before it.
    expect(ended.at(-1)).toBe(join(root, 'data', names[0]!));
    expect(report.skipped.map((s) => s.package)).toEqual([names[1], names[2]]);
    const skips = (await store.readAll({ maxCount: 10_000 }))
      .filter((e) => e.type === 'PackageSkipped')
      .map((e) => (e.data as { package: string }).package);
    expect(skips).toEqual([names[1], names[2]]);
    expect(report.builds.map((b) => [b.package, b.status])).toEqual([[names[0], 'SUCCESS']]);
  });

  it('claimed that build for six hours, the lease of a builder given none', async () => {
    const claims = (await store.readAll({ maxCount: 10_000 })).filter((e) => e.type === 'BuildClaimed');
    expect(claims).toHaveLength(1);
    const lease = Date.parse((claims[0]!.data as { leaseExpiresAt: string }).leaseExpiresAt);
    const held = lease - Date.parse(claims[0]!.metadata.occurredAt);
    expect(held).toBeGreaterThan(6 * 3600_000 - 60_000);
    expect(held).toBeLessThanOrEqual(6 * 3600_000);
  });
});
