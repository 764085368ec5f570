import type { ProjectionDefinition, ReadModelStore } from '#domain/projections/projection.js';

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
 * A store whose `transaction` fails after the work of its `crashAt`-th call, before commit: a
 * projector dying in the middle of a batch.
 */
export function crashingStore(store: ReadModelStore, crashAt: number): ReadModelStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'transaction') {
        return async <T>(work: Parameters<ReadModelStore['transaction']>[0]) =>
          target.transaction(async (tx) => {
            const result = (await work(tx)) as T;
            if (++calls === crashAt) throw new Error('simulated crash before commit');
            return result;
          });
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
