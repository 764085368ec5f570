import { mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { withCloneLock } from '#infrastructure/git/clone-lock.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { recordBuild, successOutcome } from '../support/build-commands.js';
import { commitData } from '../support/events.js';
import { waitFor } from '../support/wait-for.js';

/** Resolves once an event of `type` is in the store (the pass runs meanwhile). */
const untilRecorded = (store: EventStore, type: string) =>
  waitFor(async () => ((await store.readAll({ maxCount: 10_000 })).some((e) => e.type === type) ? true : undefined));

/**
 * Several builders on one datadir: between a build's success and its move of `current`, another
 * builder records a newer success. The pointer goes to the last success in the log, read under
 * the pointer's lock, not to the build this process happened to record.
 */
describe("a pointer move after another builder's newer success", () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-pointer-race-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('moves current to the newer success, recorded while the pass waited for the lock', async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    const { config, packages: infos } = await loadConfiguration({ configFile, infoRepo: join(root, 'rdoinfo') });
    const store = await openEventStore(config.service.eventStoreTarget);
    const deps = createBuildLoopDeps({ config, packages: infos, store, log: () => undefined });
    const repos = join(config.default.datadir, 'repos');
    const other = commitData({
      package: 'demo-data',
      project: 'demo-data',
      commitHash: 'f'.repeat(40),
      distroHash: 'e'.repeat(40),
      dtCommit: Math.floor(Date.now() / 1000),
    });
    const otherRepo = `${other.commitHash}_${other.distroHash}`;
    try {
      // The build sleeps 3 s in %build: time to take `current`'s lock before its success.
      const pass = new BuildPass(deps).run({
        ...DEFAULT_PASS_OPTIONS,
        packageNames: ['python-greeting'],
        buildEnv: { DLRN_DEMO_BUILD_SECONDS: '3' },
      });
      await untilRecorded(store, 'BuildStarted');
      await withCloneLock(join(repos, 'current'), async () => {
        await untilRecorded(store, 'BuildSucceeded');
        mkdirSync(join(repos, otherRepo), { recursive: true });
        const commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
        await recordBuild(
          commands,
          {
            commit: other,
            buildId: 'other-builder-build',
            builderId: 'other-host:1',
            now: new Date(),
            outcome: successOutcome('demo-data', other.commitHash, other.distroHash),
          },
          { correlationId: 'other-pass', causationId: null, actor: 'builder:other-host:1' },
        );
      });
      const report = await pass;
      expect(report.builds.map((b) => [b.package, b.status])).toEqual([['python-greeting', 'SUCCESS']]);
      expect(readlinkSync(join(repos, 'current'))).toBe(otherRepo);
    } finally {
      await deps.close?.();
      await store.close();
    }
  }, 120_000);
});
