import { describe, expect, it } from 'vitest';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { recordBuild, successOutcome } from '../../../../test/support/build-commands.js';
import { commitData } from '../../../../test/support/events.js';
import { resetBootstrapped } from './bootstrap-reset.js';
import { BuildHistoryReader } from './build-history.reader.js';
import type { BuildLoopDeps } from './build-loop.types.js';

const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };

describe('the repo_bootstrap reset at the end of a full --order run', () => {
  it("rechecks each bootstrapped package's last build, saying so in the pass's log", async () => {
    const store = new SqliteEventStore(':memory:');
    try {
      const commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
      const hash = 'a'.repeat(40);
      await recordBuild(
        commands,
        {
          commit: commitData({ package: 'python-greeting', commitHash: hash, distroHash: 'd1' }),
          buildId: 'b-1',
          now: new Date(),
          outcome: successOutcome('python-greeting', hash, 'd1'),
        },
        context,
      );
      const logged: [string, unknown][] = [];
      const deps = { commands, log: (line: string, fields?: unknown) => logged.push([line, fields]) };
      const history = await new BuildHistoryReader(store).catchUp();
      await resetBootstrapped(
        deps as unknown as BuildLoopDeps,
        history,
        [{ name: 'python-greeting', project: 'greeting', upstream: [], 'master-distgit': '', maintainers: [] }],
        context,
      );
      expect(logged).toEqual([
        [
          `--order: repo_bootstrap: python-greeting: commit ${hash} (SUCCESS) will be built again on the next run`,
          { kind: 'bootstrap-reset' },
        ],
      ]);
      expect((await store.readAll()).at(-1)?.type).toBe('BuildRechecked');
    } finally {
      await store.close();
    }
  });
});
