import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointConflictError,
  ViewNotBuiltError,
  type DocumentWrite,
  type ProjectionDefinition,
  type ReadModelReader,
  type ReadModelStore,
  type StoredDocument,
} from '#domain/projections/projection.js';

export interface ReadModelStoreFixture {
  /** A store; may be called several times to get independent clients of the same database. */
  open(): Promise<ReadModelStore>;
  teardown(): Promise<void>;
}

interface Note {
  readonly title: string;
  readonly package: string | null;
  readonly size: number | null;
}

let projections = 0;
/** A projection of its own per test: the suite shares one database. */
function notes(version = 1, name = `notes_${++projections}`): ProjectionDefinition<Note> {
  return {
    name,
    version,
    eventTypes: [],
    keys: () => [],
    evolve: (doc) => doc,
    columns: { package: 'text', size: 'integer' },
    row: (doc) => ({ package: doc.package, size: doc.size }),
    indexes: [['package', 'size'], ['size']],
  };
}

const note = (title: string, pkg: string | null = null, size: number | null = null): Note => ({
  title,
  package: pkg,
  size,
});

/** The behaviour every ReadModelStore adapter must have; written once, run against each adapter. */
export function describeReadModelStoreContract(name: string, makeStore: () => Promise<ReadModelStoreFixture>): void {
  describe(`ReadModelStore contract: ${name}`, () => {
    let fixture: ReadModelStoreFixture;
    let store: ReadModelStore;

    beforeAll(async () => {
      fixture = await makeStore();
      store = await fixture.open();
    });
    afterAll(async () => {
      await store?.close();
      await fixture?.teardown();
    });

    async function seeded(docs: Record<string, Note>): Promise<ProjectionDefinition<Note>> {
      const projection = notes();
      await store.ensure(projection);
      await store.transaction((tx) =>
        tx.putDocuments(
          projection,
          Object.entries(docs).map(([key, doc], i) => ({ key, doc, position: i + 1 })),
        ),
      );
      return projection;
    }

    describe('when a projection was never ensured (no projector built the views)', () => {
      it('refuses get, find and count with ViewNotBuiltError naming the view', async () => {
        const projection = notes();
        await expect(store.get(projection, 'a')).rejects.toThrow(ViewNotBuiltError);
        await expect(store.find(projection, {})).rejects.toThrow(new ViewNotBuiltError(projection.name));
        await expect(store.count(projection, {})).rejects.toThrow(ViewNotBuiltError);
      });
    });

    describe('when a projection is ensured twice', () => {
      it('keeps one usable table', async () => {
        const projection = notes();
        await store.ensure(projection);
        await store.ensure(projection);
        await store.transaction((tx) => tx.putDocuments(projection, [{ key: 'a', doc: note('A'), position: 1 }]));
        await store.ensure(projection);
        expect(await store.get(projection, 'a')).toEqual({ key: 'a', doc: note('A'), position: 1 });
      });
    });

    describe('when a projection declares columns named key, doc and position', () => {
      it('keeps them apart from the stored key, document and position', async () => {
        const projection: ProjectionDefinition<Note> = {
          ...notes(),
          columns: { key: 'text', doc: 'text', position: 'integer' },
          row: (doc) => ({ key: doc.package, doc: doc.title, position: doc.size }),
          indexes: [['position']],
        };
        await store.ensure(projection);
        await store.transaction((tx) =>
          tx.putDocuments(projection, [{ key: 'a', doc: note('T', 'p', 7), position: 3 }]),
        );
        expect(await store.find(projection, { where: { key: 'p', doc: 'T', position: 7 } })).toEqual([
          { key: 'a', doc: note('T', 'p', 7), position: 3 },
        ]);
      });
    });

    describe('when documents are put, replaced and deleted', () => {
      it('stores the last write of each key and forgets deleted ones', async () => {
        const projection = await seeded({ a: note('A', 'nova', 1), b: note('B', 'glance', 2), c: note('C') });
        await store.transaction((tx) =>
          tx.putDocuments(projection, [
            { key: 'a', doc: note('A1', 'nova', 5), position: 10 },
            { key: 'b', doc: null, position: 11 },
            { key: 'a', doc: note('A2', 'nova', 6), position: 12 },
            { key: 'd', doc: note('D'), position: 13 },
            { key: 'd', doc: null, position: 14 },
          ]),
        );
        expect(await store.get(projection, 'a')).toEqual({ key: 'a', doc: note('A2', 'nova', 6), position: 12 });
        expect(await store.get(projection, 'b')).toBeNull();
        expect(await store.get(projection, 'd')).toBeNull();
        expect(await store.count(projection)).toBe(2);
        expect(await store.find(projection, { where: { size: 6 } })).toHaveLength(1);
        const found = await store.transaction((tx) => tx.getDocuments(projection, ['a', 'b', 'c', 'a']));
        expect([...found.keys()].sort()).toEqual(['a', 'c']);
        expect(found.get('c')).toEqual({ key: 'c', doc: note('C'), position: 3 });
      });
    });

    describe('when documents are searched by their columns', () => {
      let projection: ProjectionDefinition<Note>;
      const keys = async (query: Parameters<ReadModelStore['find']>[1]) =>
        (await store.find(projection, query)).map((d) => d.key);

      beforeAll(async () => {
        projection = await seeded({
          k1: note('1', 'nova', 10),
          k2: note('2', 'nova-api', 20),
          k3: note('3', 'neutron', 30),
          k4: note('4', 'Nova', 40),
          k5: note('5', null, null),
          k6: note('6', 'nova', 20),
        });
      });

      it('filters on equality and on NULL', async () => {
        expect(await keys({ where: { package: 'nova' } })).toEqual(['k1', 'k6']);
        expect(await keys({ where: { package: 'nova', size: 20 } })).toEqual(['k6']);
        expect(await keys({ where: { package: null } })).toEqual(['k5']);
      });

      it('filters on ranges with inclusive and exclusive bounds', async () => {
        expect(await keys({ range: { size: { gte: 20, lt: 40 } } })).toEqual(['k2', 'k3', 'k6']);
        expect(await keys({ range: { size: { gt: 20, lte: 40 } } })).toEqual(['k3', 'k4']);
      });

      it('filters on a case-sensitive prefix', async () => {
        expect(await keys({ prefix: { package: 'nova' } })).toEqual(['k1', 'k2', 'k6']);
        expect(await keys({ prefix: { package: 'nova-' } })).toEqual(['k2']);
        expect(await keys({ prefix: { package: 'n%' } })).toEqual([]);
      });

      it('orders by several columns, NULL lowest, the key breaking ties', async () => {
        const order = [
          { column: 'size', direction: 'desc' },
          { column: 'package', direction: 'asc' },
        ] as const;
        expect(await keys({ orderBy: order })).toEqual(['k4', 'k3', 'k6', 'k2', 'k1', 'k5']);
        expect(await keys({ orderBy: [{ column: 'package', direction: 'asc' }] })).toEqual([
          'k5',
          'k4',
          'k3',
          'k1',
          'k6',
          'k2',
        ]);
      });

      it('pages with limit and offset, and counts with the same filters', async () => {
        const orderBy = [{ column: 'size', direction: 'asc' }] as const;
        expect(await keys({ orderBy, limit: 2 })).toEqual(['k5', 'k1']);
        expect(await keys({ orderBy, limit: 2, offset: 2 })).toEqual(['k2', 'k6']);
        expect(await keys({ orderBy, offset: 4 })).toEqual(['k3', 'k4']);
        expect(await store.count(projection, { prefix: { package: 'nova' }, range: { size: { gte: 20 } } })).toBe(2);
      });

      it('returns parsed documents with their positions', async () => {
        expect(await store.find(projection, { where: { package: 'neutron' } })).toEqual([
          { key: 'k3', doc: note('3', 'neutron', 30), position: 3 },
        ]);
      });

      it('refuses a column the projection does not declare', async () => {
        await expect(store.find(projection, { where: { nope: 1 } })).rejects.toThrow(/unknown column 'nope'/);
        await expect(store.find(projection, { orderBy: [{ column: 'doc', direction: 'asc' }] })).rejects.toThrow(
          /unknown column 'doc'/,
        );
        await expect(store.count(projection, { range: { 'size; DROP TABLE x': { gt: 1 } } })).rejects.toThrow(
          /unknown column/,
        );
        await expect(store.find(projection, { prefix: { ['package" --']: 'n' } })).rejects.toThrow(/unknown column/);
        expect(await store.count(projection)).toBe(6);
      });
    });

    describe('when the projector commits a batch', () => {
      it('stores documents and checkpoints together', async () => {
        const first = notes();
        const second = notes();
        await store.ensure(first);
        await store.ensure(second);
        await store.commitBatch({
          projections: [
            { projection: first, documents: [{ key: 'a', doc: note('A1', 'nova', 1), position: 3 }], from: 0, to: 5 },
            { projection: second, documents: [], from: 0, to: 5 },
          ],
        });
        await store.commitBatch({
          projections: [
            {
              projection: first,
              documents: [
                { key: 'a', doc: note('A2', 'nova', 2), position: 7 },
                { key: 'b', doc: note('B'), position: 8 },
              ],
              from: 5,
              to: 9,
            },
          ],
        });
        expect((await store.find(first)).map((d) => [d.key, d.doc.title, d.position])).toEqual([
          ['a', 'A2', 7],
          ['b', 'B', 8],
        ]);
        expect(await store.find(first, { where: { package: 'nova', size: 2 } })).toHaveLength(1);
        expect(await store.checkpoint(first.name, 1)).toBe(9);
        expect(await store.checkpoint(second.name, 1)).toBe(5);
        expect([...(await store.committed().getDocuments(first, ['a', 'zz'])).keys()]).toEqual(['a']);

        await store.commitBatch({
          projections: [{ projection: first, documents: [{ key: 'b', doc: null, position: 10 }], from: 9, to: 10 }],
        });
        expect((await store.find(first)).map((d) => d.key)).toEqual(['a']);
      });

      it('keeps nothing of a batch whose checkpoint moved elsewhere', async () => {
        const first = notes();
        const second = notes();
        await store.ensure(first);
        await store.ensure(second);
        await store.transaction((tx) => tx.advanceCheckpoint(second.name, 1, 0, 4));
        const stale = store.commitBatch({
          projections: [
            { projection: first, documents: [{ key: 'a', doc: note('A'), position: 3 }], from: 0, to: 6 },
            { projection: second, documents: [{ key: 'b', doc: note('B'), position: 5 }], from: 2, to: 6 },
          ],
        });
        await expect(stale).rejects.toBeInstanceOf(CheckpointConflictError);
        await expect(stale).rejects.toMatchObject({ projection: second.name, expected: 2, actual: 4 });
        expect(await store.find(first)).toEqual([]);
        expect(await store.find(second)).toEqual([]);
        expect(await store.checkpoint(first.name, 1)).toBe(0);
        // and the store goes on committing the next batch
        await store.commitBatch({
          projections: [{ projection: second, documents: [{ key: 'b', doc: note('B'), position: 5 }], from: 4, to: 6 }],
        });
        expect(await store.checkpoint(second.name, 1)).toBe(6);
      });
    });

    describe('when the checkpoint advances', () => {
      it('starts from 0 and moves only from the position it is at', async () => {
        const projection = notes();
        await store.ensure(projection);
        expect(await store.checkpoint(projection.name, 1)).toBe(0);
        await store.transaction((tx) => tx.advanceCheckpoint(projection.name, 1, 0, 10));
        await store.transaction((tx) => tx.advanceCheckpoint(projection.name, 1, 10, 25));
        expect(await store.checkpoint(projection.name, 1)).toBe(25);
      });

      it('refuses a stale position and keeps nothing of that transaction', async () => {
        const projection = notes();
        await store.ensure(projection);
        await store.transaction((tx) => tx.advanceCheckpoint(projection.name, 1, 0, 10));
        const stale = store.transaction(async (tx) => {
          await tx.putDocuments(projection, [{ key: 'x', doc: note('X'), position: 20 }]);
          await tx.advanceCheckpoint(projection.name, 1, 5, 20);
        });
        await expect(stale).rejects.toBeInstanceOf(CheckpointConflictError);
        await expect(stale).rejects.toMatchObject({ expected: 5, actual: 10 });
        expect(await store.get(projection, 'x')).toBeNull();
        expect(await store.checkpoint(projection.name, 1)).toBe(10);
      });

      it('refuses a first advance from 0 when another projector already moved it', async () => {
        const projection = notes();
        await store.transaction((tx) => tx.advanceCheckpoint(projection.name, 1, 0, 7));
        const second = store.transaction((tx) => tx.advanceCheckpoint(projection.name, 1, 0, 9));
        await expect(second).rejects.toMatchObject({ name: 'CheckpointConflictError', expected: 0, actual: 7 });
        const missing = store.transaction((tx) => tx.advanceCheckpoint(projection.name, 2, 3, 9));
        await expect(missing).rejects.toMatchObject({ expected: 3, actual: null });
      });

      it('rolls documents and checkpoint back together when the work throws', async () => {
        const projection = notes();
        await store.ensure(projection);
        const failing = store.transaction(async (tx) => {
          await tx.putDocuments(projection, [{ key: 'y', doc: note('Y'), position: 1 }]);
          await tx.advanceCheckpoint(projection.name, 1, 0, 1);
          throw new Error('projector crashed');
        });
        await expect(failing).rejects.toThrow('projector crashed');
        expect(await store.get(projection, 'y')).toBeNull();
        expect(await store.checkpoint(projection.name, 1)).toBe(0);
      });
    });

    describe('when a rebuilt version is activated and the old one dropped', () => {
      it('switches the active version and forgets the dropped one', async () => {
        const v1 = notes(1);
        const v2 = notes(2, v1.name);
        expect(await store.activeVersion(v1.name)).toBeNull();
        await store.ensure(v1);
        await store.ensure(v2);
        await store.transaction(async (tx) => {
          await tx.putDocuments(v1, [{ key: 'a', doc: note('old'), position: 3 }]);
          await tx.advanceCheckpoint(v1.name, 1, 0, 3);
        });
        await store.activate(v1.name, 1);
        expect(await store.activeVersion(v1.name)).toBe(1);
        await store.transaction((tx) => tx.advanceCheckpoint(v2.name, 2, 0, 5));
        await store.activate(v2.name, 2);
        expect(await store.activeVersion(v1.name)).toBe(2);
        const mine = (await store.checkpoints()).filter((c) => c.name === v1.name);
        expect(mine.map(({ version, position, active }) => ({ version, position, active }))).toEqual([
          { version: 1, position: 3, active: false },
          { version: 2, position: 5, active: true },
        ]);
        await store.drop(v1.name, 1);
        expect(await store.checkpoint(v1.name, 1)).toBe(0);
        await expect(store.get(v1, 'a')).rejects.toThrow();
        await store.ensure(v1);
        expect(await store.get(v1, 'a')).toBeNull();
        expect(await store.activeVersion(v1.name)).toBe(2);
      });
    });

    describe('when two projectors ask for the same lock', () => {
      it('grants it to one at a time, across store instances', async () => {
        const other = await fixture.open();
        try {
          const name = `lock_${++projections}`;
          const first = await store.tryLock(name, 'owner-a');
          expect(first).not.toBeNull();
          expect(await other.tryLock(name, 'owner-b')).toBeNull();
          const elsewhere = await other.tryLock(`${name}_other`, 'owner-b');
          expect(elsewhere).not.toBeNull();
          await first?.release();
          const second = await other.tryLock(name, 'owner-b');
          expect(second).not.toBeNull();
          expect(await store.tryLock(name, 'owner-a')).toBeNull();
          await second?.release();
          await elsewhere?.release();
        } finally {
          await other.close();
        }
      });
    });

    describe('when one store is asked for a lock it already holds for another owner', () => {
      it('refuses it until released', async () => {
        const name = `lock_${++projections}`;
        const first = await store.tryLock(name, 'owner-a');
        expect(first).not.toBeNull();
        expect(await store.tryLock(name, 'owner-b')).toBeNull();
        await first?.release();
        const second = await store.tryLock(name, 'owner-b');
        expect(second).not.toBeNull();
        await second?.release();
      });
    });

    describe('when several locks are asked for at once', () => {
      it('grants each, and frees each on release', async () => {
        const names = Array.from({ length: 5 }, () => `lock_${++projections}`);
        const locks = await Promise.all(names.map((n) => store.tryLock(n, 'owner-a')));
        expect(locks.every((lock) => lock !== null)).toBe(true);
        const other = await fixture.open();
        try {
          expect(await Promise.all(names.map((n) => other.tryLock(n, 'owner-b')))).toEqual(names.map(() => null));
          await Promise.all(locks.map((lock) => lock?.release()));
          const taken = await Promise.all(names.map((n) => other.tryLock(n, 'owner-b')));
          expect(taken.every((lock) => lock !== null)).toBe(true);
        } finally {
          await other.close();
        }
      });
    });

    describe('when documents hold unusual JSON', () => {
      it('returns exactly what was stored', async () => {
        const projection = notes();
        await store.ensure(projection);
        const doc = {
          ...note('ünïcødé 日本語 😀 "quoted" \\ back\nline', 'ñova', Number.MAX_SAFE_INTEGER),
          big: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1e300, 0.1 + 0.2, -1.5e-10],
          nested: { empty: [], none: null, yes: true, no: false, '': 'empty key' },
        };
        await store.transaction((tx) => tx.putDocuments(projection, [{ key: 'ключ/🔑', doc, position: 2 ** 52 }]));
        expect(await store.get(projection, 'ключ/🔑')).toEqual({ key: 'ключ/🔑', doc, position: 2 ** 52 });
        expect(
          await store.find(projection, { where: { package: 'ñova', size: Number.MAX_SAFE_INTEGER } }),
        ).toHaveLength(1);
      });
    });

    describe('when keys and text columns hold lone surrogates', () => {
      it('finds and replaces those documents like any other (they skip the batched statements)', async () => {
        const projection = {
          name: 'odd',
          version: 1,
          eventTypes: [],
          keys: () => [],
          evolve: (doc: { n: number }) => doc,
          columns: { t: 'text' } as const,
          // The documents stay plain: JSON has no lone surrogate (PostgreSQL refuses its escape).
          row: (_doc: { n: number }, key: string) => ({ t: key }),
          indexes: [],
        };
        await store.ensure(projection);
        const keys = ['plain', 'lone-\uD800', 'pair-\uD83D\uDE00'];
        for (const round of [1, 2]) {
          await store.transaction((tx) =>
            tx.putDocuments(
              projection,
              keys.map((key, i) => ({ key, doc: { n: round }, position: round * 10 + i })),
            ),
          );
          const found = await store.transaction((tx) => tx.getDocuments(projection, keys));
          expect([...found.values()].map((d) => d.position).sort()).toEqual([
            round * 10,
            round * 10 + 1,
            round * 10 + 2,
          ]);
        }
        expect(await store.count(projection)).toBe(3);
        expect((await store.get(projection, 'pair-\uD83D\uDE00'))?.doc).toEqual({ n: 2 });
        expect(await store.count(projection, { where: { t: 'pair-\uD83D\uDE00' } })).toBe(1);
      });
    });

    describe('when one call puts 10,000 documents', () => {
      it('stores them all', async () => {
        const projection = notes();
        await store.ensure(projection);
        const keys = Array.from({ length: 10_000 }, (_, i) => `doc-${i}`);
        await store.transaction((tx) =>
          tx.putDocuments(
            projection,
            keys.map((key, i) => ({ key, doc: note(key, `p${i % 7}`, i), position: i + 1 })),
          ),
        );
        expect(await store.count(projection)).toBe(10_000);
        expect(await store.get(projection, 'doc-9999')).toEqual({
          key: 'doc-9999',
          doc: note('doc-9999', 'p3', 9999),
          position: 10_000,
        });
        const all = await store.transaction((tx) => tx.getDocuments(projection, keys));
        expect(all.size).toBe(10_000);
        await store.transaction((tx) =>
          tx.putDocuments(
            projection,
            keys.map((key) => ({ key, doc: null, position: 1 })),
          ),
        );
        expect(await store.count(projection)).toBe(0);
      });
    });

    describe('time travel: when documents are read as of a position', () => {
      /** Every reader answer worth comparing: all, filtered, ranged, prefixed, ordered, paged, counted. */
      async function answers(reader: ReadModelReader, projection: ProjectionDefinition<Note>, keys: readonly string[]) {
        const strip = (rows: StoredDocument<Note>[]) => rows.map((r) => [r.key, r.doc.title, r.position]);
        return {
          all: strip(await reader.find(projection)),
          nova: strip(await reader.find(projection, { where: { package: 'nova' } })),
          noPackage: strip(await reader.find(projection, { where: { package: null } })),
          sized: strip(await reader.find(projection, { range: { size: { gte: 3, lt: 7 } } })),
          prefixed: strip(await reader.find(projection, { prefix: { package: 'ne' } })),
          ordered: strip(
            await reader.find(projection, {
              orderBy: [
                { column: 'size', direction: 'desc' },
                { column: 'package', direction: 'asc' },
              ],
            }),
          ),
          paged: strip(
            await reader.find(projection, { orderBy: [{ column: 'size', direction: 'asc' }], limit: 2, offset: 1 }),
          ),
          offsetOnly: strip(await reader.find(projection, { offset: 2 })),
          count: await reader.count(projection),
          countNova: await reader.count(projection, { where: { package: 'nova' }, range: { size: { gt: 2 } } }),
          gets: await Promise.all(keys.map(async (key) => (await reader.get(projection, key))?.doc.title ?? null)),
        };
      }

      it('answers from the versions live at each position: replaced, deleted, re-created', async () => {
        const projection = notes();
        await store.ensure(projection);
        expect(store.keepsHistory).toBe(true);
        const put = (key: string, doc: Note | null, position: number) =>
          store.transaction((tx) => tx.putDocuments(projection, [{ key, doc, position }]));
        await put('a', note('a1', 'nova', 1), 2);
        await put('b', note('b1', 'neutron', 5), 4);
        await put('a', note('a2', 'nova', 3), 6);
        await put('b', null, 7);
        await put('b', note('b2', null, 9), 9);
        const at = async (position: number) =>
          (await store.asOf(position).find(projection)).map((d) => [d.key, d.doc.title, d.position]);
        expect(await at(0)).toEqual([]);
        expect(await at(1)).toEqual([]);
        expect(await at(2)).toEqual([['a', 'a1', 2]]);
        expect(await at(5)).toEqual([
          ['a', 'a1', 2],
          ['b', 'b1', 4],
        ]);
        expect(await at(6)).toEqual([
          ['a', 'a2', 6],
          ['b', 'b1', 4],
        ]);
        expect(await at(7)).toEqual([['a', 'a2', 6]]);
        expect(await at(8)).toEqual([['a', 'a2', 6]]);
        expect(await at(9)).toEqual([
          ['a', 'a2', 6],
          ['b', 'b2', 9],
        ]);
        expect(await at(1_000_000)).toEqual(await at(9));
        expect(await store.asOf(7).get(projection, 'b')).toBeNull();
        expect(await store.asOf(4).get(projection, 'b')).toEqual({
          key: 'b',
          doc: note('b1', 'neutron', 5),
          position: 4,
        });
        expect(await store.asOf(3).count(projection, { where: { package: 'nova' } })).toBe(1);
        expect(await store.asOf(1).get(projection, 'a')).toBeNull();
        // a reader moves to another position through asOf too
        expect(await store.asOf(9).asOf(4).get(projection, 'a')).toMatchObject({ doc: note('a1', 'nova', 1) });
        expect(() => store.asOf(-1)).toThrow(/non-negative integer/);
        expect(() => store.asOf(1.5)).toThrow(/non-negative integer/);
      });

      it('keeps every write of one batch as a version, and a replayed batch changes nothing', async () => {
        const projection = notes();
        await store.ensure(projection);
        const batch = {
          projection,
          documents: [
            { key: 'a', doc: note('a1', 'nova', 1), position: 3 },
            { key: 'b', doc: note('b1'), position: 4 },
            { key: 'a', doc: note('a2', 'nova', 2), position: 5 },
            { key: 'a', doc: null, position: 6 },
            { key: 'a', doc: note('a3', 'nova', 3), position: 8 },
          ],
          from: 0,
          to: 10,
        };
        await store.commitBatch({ projections: [batch] });
        const titles = async (position: number) =>
          (await store.asOf(position).find(projection)).map((d) => `${d.key}:${d.doc.title}@${d.position}`);
        const timeline = async () => Promise.all([2, 3, 4, 5, 6, 7, 8, 10].map(titles));
        const before = await timeline();
        expect(before).toEqual([
          [],
          ['a:a1@3'],
          ['a:a1@3', 'b:b1@4'],
          ['a:a2@5', 'b:b1@4'],
          ['b:b1@4'],
          ['b:b1@4'],
          ['a:a3@8', 'b:b1@4'],
          ['a:a3@8', 'b:b1@4'],
        ]);
        expect(await store.find(projection)).toEqual(await store.asOf(10).find(projection));
        // At-least-once delivery: the same writes again (from the same checkpoint, so the
        // compare-and-set is the projector's retry after an unknown commit outcome).
        await store.transaction((tx) => tx.putDocuments(projection, batch.documents));
        await store.transaction((tx) => tx.putDocuments(projection, batch.documents.slice(0, 2)));
        expect(await timeline()).toEqual(before);
        await store.commitBatch({
          projections: [{ projection, documents: [{ key: 'b', doc: null, position: 12 }], from: 10, to: 12 }],
        });
        expect(await titles(11)).toEqual(['a:a3@8', 'b:b1@4']);
        expect(await titles(12)).toEqual(['a:a3@8']);
      });

      /** A seeded history; after each batch the live reader's answers, later compared with asOf. */
      async function replayAgainstLive(keyCount: number, batches: number) {
        const projection = notes();
        await store.ensure(projection);
        let seed = keyCount * 7919 + batches;
        const random = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        const keys = Array.from({ length: keyCount }, (_, i) => `k${String(i).padStart(3, '0')}`);
        const packages = ['nova', 'neutron', 'glance', null];
        const recorded: { position: number; answers: Awaited<ReturnType<typeof answers>> }[] = [];
        let position = 0;
        for (let b = 0; b < batches; b++) {
          const documents: DocumentWrite<Note>[] = [];
          for (let w = 1 + random(4); w > 0; w--) {
            position += 1 + random(3);
            const key = keys[random(keys.length)]!;
            const doc = random(6) === 0 ? null : note(`${key}@${position}`, packages[random(4)]!, random(9));
            documents.push({ key, doc, position });
          }
          await store.commitBatch({
            projections: [{ projection, documents, from: position === 0 ? 0 : b, to: b + 1 }],
          });
          recorded.push({ position, answers: await answers(store, projection, keys) });
        }
        return { projection, keys, recorded, last: position };
      }

      for (const [shape, keyCount, batches] of [
        ['few keys, many versions each (one seek per key)', 4, 60],
        ['many keys, few versions each (one range scan)', 150, 60],
      ] as const) {
        it(`gives, at every position, what the live reader gave there: ${shape}`, async () => {
          const { projection, keys, recorded, last } = await replayAgainstLive(keyCount, batches);
          for (const { position, answers: live } of recorded) {
            expect(await answers(store.asOf(position), projection, keys), `as of ${position}`).toEqual(live);
          }
          // between two batches: the earlier batch's answer
          for (let i = 1; i < recorded.length; i++) {
            const between = recorded[i]!.position - 1;
            if (between > recorded[i - 1]!.position) {
              expect(await answers(store.asOf(between), projection, keys)).toEqual(recorded[i - 1]!.answers);
            }
          }
          expect(await answers(store.asOf(last + 100), projection, keys)).toEqual(recorded.at(-1)!.answers);
          expect((await answers(store.asOf(0), projection, keys)).all).toEqual([]);
        });
      }

      it('forgets the history of a dropped version', async () => {
        const projection = notes();
        await store.ensure(projection);
        await store.transaction((tx) => tx.putDocuments(projection, [{ key: 'a', doc: note('A'), position: 1 }]));
        await store.drop(projection.name, 1);
        await store.ensure(projection);
        expect(await store.asOf(5).find(projection)).toEqual([]);
      });
    });

    describe('when two store instances share one database', () => {
      it('each sees what the other committed', async () => {
        const other = await fixture.open();
        try {
          const projection = notes();
          await store.ensure(projection);
          await other.ensure(projection);
          await store.transaction(async (tx) => {
            await tx.putDocuments(projection, [{ key: 'a', doc: note('from first'), position: 1 }]);
            await tx.advanceCheckpoint(projection.name, 1, 0, 1);
          });
          expect(await other.get(projection, 'a')).toMatchObject({ doc: note('from first') });
          await other.transaction(async (tx) => {
            await tx.putDocuments(projection, [{ key: 'b', doc: note('from second'), position: 2 }]);
            await tx.advanceCheckpoint(projection.name, 1, 1, 2);
          });
          expect(await store.checkpoint(projection.name, 1)).toBe(2);
          expect((await store.find(projection)).map((d) => d.doc.title)).toEqual(['from first', 'from second']);
          await other.activate(projection.name, 1);
          expect(await store.activeVersion(projection.name)).toBe(1);
        } finally {
          await other.close();
        }
      });
    });
  });
}
