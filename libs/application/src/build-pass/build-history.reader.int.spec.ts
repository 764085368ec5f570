import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { recordBuild, successOutcome } from '../../../../test/support/build-commands.js';
import { commitData } from '../../../../test/support/events.js';
import { BuildHistoryReader, REMOTE_IMPORT_BUILDER_PREFIX } from './build-history.reader.js';

const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };

describe('the build history reader', () => {
  let store: SqliteEventStore;
  let commands: DeciderCommandHandler;
  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
    commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
  });
  afterEach(() => store.close());

  const build = (commitHash: string, at: number, builderId?: string) =>
    recordBuild(
      commands,
      {
        commit: commitData({ package: 'python-foo', commitHash, distroHash: 'd1', dtCommit: at }),
        buildId: `build-${commitHash}`,
        now: new Date(at * 1000),
        outcome: successOutcome('python-foo', commitHash, 'd1'),
        ...(builderId === undefined ? {} : { builderId }),
      },
      context,
    );

  describe('when a consistent build made here is followed by one imported from another instance', () => {
    it('gives the one made here as consistent, the imported one as the last success (DLRN §2.3)', async () => {
      await build('a'.repeat(40), 1_700_000_000);
      await build('b'.repeat(40), 1_700_000_100, `${REMOTE_IMPORT_BUILDER_PREFIX}https://trunk.example.org/`);
      const reader = new BuildHistoryReader(store);
      const history = await reader.catchUp();
      expect(history.lastSuccess(null)?.buildId).toBe(`build-${'b'.repeat(40)}`);
      expect(reader.lastConsistentBuiltHere()?.buildId).toBe(`build-${'a'.repeat(40)}`);
    });
  });

  describe('when only imported builds exist', () => {
    it('has no consistent build made here', async () => {
      await build('b'.repeat(40), 1_700_000_100, `${REMOTE_IMPORT_BUILDER_PREFIX}https://trunk.example.org/`);
      const reader = new BuildHistoryReader(store);
      await reader.catchUp();
      expect(reader.lastConsistentBuiltHere()).toBeNull();
    });
  });

  describe('when builds are appended after a first catch-up', () => {
    it('reads only what came since, into the same history', async () => {
      const reader = new BuildHistoryReader(store);
      await build('a'.repeat(40), 1_700_000_000);
      const first = await reader.catchUp();
      await build('c'.repeat(40), 1_700_000_200);
      const second = await reader.catchUp();
      expect(second).toBe(first);
      expect(reader.lastConsistentBuiltHere()?.buildId).toBe(`build-${'c'.repeat(40)}`);
    });
  });
});
