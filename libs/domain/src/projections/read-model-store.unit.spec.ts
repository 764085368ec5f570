import { describe, expect, it } from 'vitest';
import {
  CheckpointConflictError,
  HistoryUnavailableError,
  ReadModelStore,
  ViewNotBuiltError,
  type DocumentWrite,
  type ReadModelTransaction,
} from './projection.js';
import { emptyProjection } from '../../../../test/support/projection-spec.js';

const projection = emptyProjection;

/** The base class's own behaviour, over a store that records what it is asked to write. */
class RecordingStore extends ReadModelStore {
  readonly writes: string[] = [];
  failOn: string | null = null;
  override async transaction<T>(work: (tx: ReadModelTransaction) => Promise<T>): Promise<T> {
    const tx: ReadModelTransaction = {
      getDocuments: () => Promise.resolve(new Map()),
      putDocuments: (p, docs) => this.write(`put ${p.name} ${docs.length}`),
      advanceCheckpoint: (name, version, from, to) => this.write(`checkpoint ${name}@${version} ${from}->${to}`),
    };
    return work(tx);
  }
  private async write(what: string): Promise<void> {
    await Promise.resolve();
    this.writes.push(what);
    if (this.failOn !== null && what.startsWith(this.failOn)) throw new Error(`cannot ${what}`);
  }
  override ensure = () => Promise.resolve();
  override committed = () => ({ getDocuments: () => Promise.resolve([]) }) as never;
  override checkpoint = () => Promise.resolve(0);
  override checkpoints = () => Promise.resolve([]);
  override activate = () => Promise.resolve();
  override activeVersion = () => Promise.resolve(null);
  override drop = () => Promise.resolve();
  override tryLock = () => Promise.resolve(null);
  override find = () => Promise.resolve([]);
  override count = () => Promise.resolve(0);
  override get = () => Promise.resolve(null);
  override close = () => Promise.resolve();
}

const docs = (n: number): DocumentWrite<unknown>[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, doc: {}, position: i + 1 }));

describe('a read-model store (the base class)', () => {
  it('writes a batch: each projection documents first, when it has any, and its checkpoint always', async () => {
    const store = new RecordingStore();
    await store.commitBatch({
      projections: [
        { projection: projection('builds'), documents: docs(2), from: 0, to: 7 },
        { projection: projection('queue'), documents: [], from: 3, to: 7 },
      ],
    });
    expect(store.writes).toEqual(['put builds 2', 'checkpoint builds@1 0->7', 'checkpoint queue@1 3->7']);
  });

  it('waits for every write of a batch before it fails with the first failure', async () => {
    const store = new RecordingStore();
    store.failOn = 'put builds';
    await expect(
      store.commitBatch({
        projections: [
          { projection: projection('builds'), documents: docs(1), from: 0, to: 2 },
          { projection: projection('queue'), documents: docs(1), from: 0, to: 2 },
        ],
      }),
    ).rejects.toThrow('cannot put builds 1');
    expect(store.writes).toHaveLength(4);
  });

  it('keeps no history unless it says so, and refuses reads at a position', () => {
    const store = new RecordingStore();
    expect(store.keepsHistory).toBe(false);
    expect(() => store.asOf(5)).toThrow(new HistoryUnavailableError('this read-model store keeps no history'));
  });

  it('names its errors, with what a caller needs to act on them', () => {
    const conflict = new CheckpointConflictError('builds', 7, null);
    expect(conflict).toMatchObject({
      name: 'CheckpointConflictError',
      projection: 'builds',
      expected: 7,
      actual: null,
    });
    expect(conflict.message).toBe('projection builds: checkpoint moved by someone else (expected 7, found null)');
    expect(new CheckpointConflictError('queue', 3, 9).message).toContain('(expected 3, found 9)');
    expect(new HistoryUnavailableError('not that far back')).toMatchObject({
      name: 'HistoryUnavailableError',
      message: 'not that far back',
    });
    expect(new ViewNotBuiltError('builds_v1')).toMatchObject({
      name: 'ViewNotBuiltError',
      view: 'builds_v1',
      message: 'the views are not built yet (builds_v1): start `dlrn projector` or `dlrn serve` on this store',
    });
  });
});
