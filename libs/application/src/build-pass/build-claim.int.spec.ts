import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDecider } from '#domain/build/build.decider.js';
import { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { SystemClock } from '#infrastructure/ids/system-clock.js';
import { UuidV7IdGenerator } from '#infrastructure/ids/uuid-v7.id-generator.js';
import { commitData } from '../../../../test/support/events.js';
import { claimBuild, type ClaimRequest } from './build-claim.js';
import { claimHolder } from './claim-holder.js';

const context = { correlationId: 'pass-1', causationId: null, actor: 'builder:test' };
const HASH = 'a'.repeat(40);

describe('claiming a commit to build', () => {
  let store: SqliteEventStore;
  let commands: DeciderCommandHandler;
  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
    commands = new DeciderCommandHandler(store, new UuidV7IdGenerator(), new SystemClock());
  });
  afterEach(() => store.close());

  const request = (builderId: string, buildId: string): ClaimRequest => ({
    candidate: commitData({ package: 'python-foo', commitHash: HASH, distroHash: 'd'.repeat(40) }),
    buildId,
    builderId,
    now: new Date(),
    leaseMs: 3_600_000,
    dtBuild: 1_700_000_000,
    workerId: 1,
    driver: 'rpmbuild',
  });
  const claim = (builderId: string, buildId: string) => claimBuild(commands, request(builderId, buildId), context);
  const types = async () => (await store.readAll()).map((e) => e.type);

  describe('when nobody holds it', () => {
    it('discovers, claims and starts it in one append', async () => {
      const outcome = await claim('builder-1 (h:1)', 'b-1');
      expect(outcome).toMatchObject({ claimed: true, streamId: expect.stringMatching(/^build-python-foo@/) });
      expect(await types()).toEqual(['CommitDiscovered', 'BuildClaimed', 'BuildStarted']);
    });
  });

  describe('when a living builder holds it', () => {
    it('answers why, naming the holder, and records nothing more', async () => {
      const living = claimHolder('builder-1', hostname(), process.ppid);
      await claim(living, 'b-1');
      const outcome = await claim('builder-2 (h:2)', 'b-2');
      expect(outcome).toEqual({
        claimed: false,
        streamId: outcome.streamId,
        reason: `commit ${HASH} of python-foo is being built by ${living}`,
      });
      expect(await types()).toEqual(['CommitDiscovered', 'BuildClaimed', 'BuildStarted']);
    });
  });

  describe('when the holder is a process of this host that is gone', () => {
    it('takes the claim over at once, recording the stopped build as abandoned', async () => {
      const gone = claimHolder('builder-1', hostname(), spawnSync(process.execPath, ['-e', '0']).pid!);
      await claim(gone, 'b-1');
      const outcome = await claim('builder-2 (h:2)', 'b-2');
      expect(outcome.claimed).toBe(true);
      const events = await store.readAll();
      expect(events.slice(3).map((e) => [e.type, e.data])).toEqual([
        ['BuildAbandoned', { buildId: 'b-1', reason: 'builder_stopped' }],
        ['BuildClaimed', expect.objectContaining({ buildId: 'b-2', builderId: 'builder-2 (h:2)', attempt: 2 })],
        ['BuildStarted', expect.objectContaining({ buildId: 'b-2' })],
      ]);
    });
  });

  describe("when another builder takes over the gone holder's claim first", () => {
    it('answers that the other builder holds it, and records nothing of its own', async () => {
      const gone = claimHolder('builder-1', hostname(), spawnSync(process.execPath, ['-e', '0']).pid!);
      await claim(gone, 'b-1');
      // builder-3 takes the claim over between builder-2's refusal and its takeover.
      let calls = 0;
      const racing = {
        handle: async (...args: Parameters<DeciderCommandHandler['handle']>) => {
          if (++calls === 2) await claimBuild(commands, request('builder-3 (h:3)', 'b-3'), context);
          return commands.handle(...args);
        },
      } as unknown as DeciderCommandHandler;
      const outcome = await claimBuild(racing, request('builder-2 (h:2)', 'b-2'), context);
      expect(outcome).toEqual({
        claimed: false,
        streamId: outcome.streamId,
        reason: `commit ${HASH} of python-foo is being built by builder-3 (h:3)`,
      });
      const claims = (await store.readAll()).filter((e) => e.type === 'BuildClaimed').map((e) => e.data);
      expect(claims).toEqual([
        expect.objectContaining({ buildId: 'b-1' }),
        expect.objectContaining({ buildId: 'b-3' }),
      ]);
    });
  });

  describe('when the holder is on another host', () => {
    it('waits for its lease, whatever its pid', async () => {
      const elsewhere = claimHolder('builder-1', `not-${hostname()}`, spawnSync(process.execPath, ['-e', '0']).pid!);
      await claim(elsewhere, 'b-1');
      expect((await claim('builder-2 (h:2)', 'b-2')).claimed).toBe(false);
    });
  });

  describe('when it was built already', () => {
    it('answers that it was, with the status, and records nothing more', async () => {
      const { streamId } = await claim('builder-1 (h:1)', 'b-1');
      await commands.handle(
        streamId,
        buildDecider,
        {
          type: 'CompleteBuild',
          buildId: 'b-1',
          repoDir: 'x',
          outcome: { status: 'failure', notes: 'boom', transientError: null },
          maxRetries: 3,
        },
        context,
      );
      const outcome = await claim('builder-2 (h:2)', 'b-2');
      expect(outcome).toMatchObject({
        claimed: false,
        reason: `commit ${HASH} of python-foo was already built (FAILED); recheck it to build it again`,
      });
    });
  });
});
