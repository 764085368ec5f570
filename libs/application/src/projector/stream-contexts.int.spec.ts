import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#domain/shared/event.js';
import { testEvent } from '../../../../test/support/events.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { StreamContexts } from './stream-contexts.js';

const commit = (hash: string) => ({ package: 'nova', commitHash: hash, distroHash: 'd1', purpose: { kind: 'commit' } });

/** A log of two build streams and a vote stream; reads of the log are counted. */
async function fixture() {
  const events = new SqliteEventStore(':memory:');
  await events.append('build-nova@c1_d1', [
    testEvent('CommitDiscovered', commit('c1')),
    testEvent('BuildClaimed', { buildId: 'b1' }),
  ]);
  await events.append('build-nova@c2_d1', [
    testEvent('CommitDiscovered', commit('c2')),
    testEvent('BuildClaimed', { buildId: 'b2' }),
  ]);
  await events.append('build-orphan', [testEvent('BuildClaimed', { buildId: 'b3' })]);
  await events.append('civote-c1_d1', [testEvent('CiVoteReported', { commitHash: 'c1' })]);
  // A stream a hostile or broken writer began with a claim, and that records a discovery later.
  await events.append('build-late', [
    testEvent('BuildClaimed', { buildId: 'b4' }),
    testEvent('CommitDiscovered', commit('c3')),
  ]);
  const log = await events.readAll();
  const reads: string[] = [];
  const readStream = events.readStream.bind(events);
  events.readStream = async (streamId, options) => {
    reads.push(streamId);
    return readStream(streamId, options);
  };
  const at = (position: number): RecordedEvent => log.find((e) => e.position === position)!;
  return { events, at, reads };
}

describe('stream contexts', () => {
  it("takes a build stream's commit from its discovery in the same batch, without reading the log", async () => {
    const { events, at, reads } = await fixture();
    const contexts = await new StreamContexts(events).of([at(1), at(2)]);
    expect(contexts).toEqual([{ commit: commit('c1') }, { commit: commit('c1') }]);
    expect(reads).toEqual([]);
  });

  it('reads the first event of a stream it has not seen, once, and remembers it', async () => {
    const { events, at, reads } = await fixture();
    const streams = new StreamContexts(events);
    expect(await streams.of([at(4)])).toEqual([{ commit: commit('c2') }]);
    expect(await streams.of([at(4), at(4)])).toEqual([{ commit: commit('c2') }, { commit: commit('c2') }]);
    expect(reads).toEqual(['build-nova@c2_d1']);
  });

  it('gives no commit to a build stream that does not begin with a discovery, nor to other streams', async () => {
    const { events, at, reads } = await fixture();
    const contexts = await new StreamContexts(events).of([at(5), at(6)]);
    expect(contexts).toEqual([{ commit: null }, { commit: null }]);
    expect(reads).toEqual(['build-orphan']);
  });

  it("takes no commit from a discovery that is not its stream's first event", async () => {
    const { events, at, reads } = await fixture();
    const streams = new StreamContexts(events);
    expect(await streams.of([at(8)])).toEqual([{ commit: null }]);
    expect(reads).toEqual(['build-late']);
  });

  it('forgets the least recently used streams past its capacity, and reads them again', async () => {
    const { events, at, reads } = await fixture();
    const streams = new StreamContexts(events, 1);
    await streams.of([at(1)]); // c1 seen in the batch
    await streams.of([at(3)]); // c2 seen: c1 forgotten
    expect(await streams.of([at(2)])).toEqual([{ commit: commit('c1') }]);
    expect(reads).toEqual(['build-nova@c1_d1']);
  });
});
