import type { BatchWrites, ProjectionDefinition, ReadModelStore } from '#domain/projections/projection.js';

/** Every document of every projection, sorted by key: what two runs must agree on. */
export async function dumpReadModels(
  store: ReadModelStore,
  projections: readonly ProjectionDefinition[],
): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const projection of projections) {
    const documents = await store.find(projection);
    dump[projection.name] = documents
      .map((d) => ({ key: d.key, position: d.position, doc: d.doc }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return dump;
}

/**
 * A store whose `crashAt`-th projector batch dies before its commit: it is sent with every write
 * and then a checkpoint compare-and-set that cannot succeed, so the store really runs the batch
 * and rolls all of it back (on SQLite files, on its writer thread), while the batch after it is
 * already folded in memory.
 */
export function crashingStore(store: ReadModelStore, crashAt: number): ReadModelStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commitBatch') {
        return async (writes: BatchWrites) => {
          const victim = writes.projections[0]?.projection;
          if (++calls !== crashAt || victim === undefined) return target.commitBatch(writes);
          const never = Number.MAX_SAFE_INTEGER;
          const poisoned = { projection: victim, documents: [], from: never, to: never };
          await target.commitBatch({ ...writes, projections: [...writes.projections, poisoned] }).then(
            () => Promise.reject(new Error('the poisoned batch committed')),
            (error: unknown) => Promise.reject(new Error('simulated crash before commit', { cause: error })),
          );
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A store that commits each projector batch only after a pause: the engine meanwhile reads and
 * folds the next batch, so anything it should take from memory (the last batch's documents and
 * contexts) and reads from the store instead is found missing or stale.
 */
export function laggingStore(store: ReadModelStore, pauseMs = 2): ReadModelStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commitBatch') {
        return async (writes: BatchWrites) => {
          await new Promise((resume) => setTimeout(resume, pauseMs));
          await target.commitBatch(writes);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
