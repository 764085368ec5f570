import { describe, expect, it } from 'vitest';
import { testEvent } from '../../../../test/support/events.js';
import { withAppendLog } from './append-log.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.adapter.js';

describe('--debug: appends printed as they are recorded', () => {
  it('names the types, the stream and the position, and passes everything else through', async () => {
    const lines: string[] = [];
    const store = withAppendLog(new SqliteEventStore(':memory:'), (line) => lines.push(line));
    try {
      await store.append('build-nova@a_b', [testEvent('CommitDiscovered', {}), testEvent('BuildClaimed', {})]);
      await store.appendToStreams([
        { streamId: 'package-nova', events: [testEvent('FailureNotified', {})] },
        { streamId: 'package-glance', events: [testEvent('FailureNotified', {})] },
      ]);
      expect(lines).toEqual([
        'appended CommitDiscovered, BuildClaimed to build-nova@a_b at position 2',
        'appended FailureNotified to package-nova at position 3',
        'appended FailureNotified to package-glance at position 4',
      ]);
      expect(await store.headPosition()).toBe(4);
      expect((await store.readStream('build-nova@a_b')).map((e) => e.type)).toEqual([
        'CommitDiscovered',
        'BuildClaimed',
      ]);
    } finally {
      await store.close();
    }
  });
});
