import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeReadModelStoreContract } from '../../../../test/contract/read-model-store.contract.js';
import { openPostgresReadModelStore } from './kysely-read-model.store.js';

// Not skipped when PostgreSQL is missing: the test script starts one, so silence would hide a break.
const URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

function uniqueSchema(): string {
  return `rm_${randomBytes(6).toString('hex')}`;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

describeReadModelStoreContract('PostgreSQL', async () => {
  const schema = uniqueSchema();
  return {
    open: () => openPostgresReadModelStore(URL, { schema }),
    teardown: () => dropSchema(schema),
  };
});

describe('PostgreSQL read-model store', () => {
  describe('when the store holding a lock closes', () => {
    it('frees the lock for another store', async () => {
      const schema = uniqueSchema();
      try {
        const a = await openPostgresReadModelStore(URL, { schema });
        const b = await openPostgresReadModelStore(URL, { schema });
        expect(await a.tryLock('builds', 'a')).not.toBeNull();
        expect(await b.tryLock('builds', 'b')).toBeNull();
        await a.close();
        const lock = await b.tryLock('builds', 'b');
        expect(await lock?.renew()).toBe(true);
        await b.close();
      } finally {
        await dropSchema(schema);
      }
    });
  });

  describe('when two schemas hold projections of the same name', () => {
    it('locks them independently', async () => {
      const [first, second] = [uniqueSchema(), uniqueSchema()];
      try {
        const a = await openPostgresReadModelStore(URL, { schema: first });
        const b = await openPostgresReadModelStore(URL, { schema: second });
        expect(await a.tryLock('builds', 'a')).not.toBeNull();
        expect(await b.tryLock('builds', 'b')).not.toBeNull();
        await a.close();
        await b.close();
      } finally {
        await dropSchema(first);
        await dropSchema(second);
      }
    });
  });

  describe('when one call puts more rows than one statement of placeholders could carry', () => {
    it('stores them all', async () => {
      const schema = uniqueSchema();
      const store = await openPostgresReadModelStore(URL, { schema });
      try {
        // 7 values a row: 65535 / 7 = 9362 rows would fit one statement of placeholders.
        const projection = {
          name: 'wide',
          version: 1,
          eventTypes: [],
          keys: () => [],
          evolve: (doc: { n: number }) => doc,
          columns: { a: 'integer', b: 'integer', c: 'integer', d: 'text' } as const,
          row: (doc: { n: number }) => ({ a: doc.n, b: doc.n * 2, c: doc.n % 3, d: `d${doc.n}` }),
          indexes: [],
        };
        await store.ensure(projection);
        const docs = Array.from({ length: 20_000 }, (_, n) => ({ key: `k${n}`, doc: { n }, position: n + 1 }));
        await store.transaction((tx) => tx.putDocuments(projection, docs));
        expect(await store.count(projection)).toBe(20_000);
        expect(await store.find(projection, { where: { b: 39_998, d: 'd19999' } })).toEqual([
          { key: 'k19999', doc: { n: 19_999 }, position: 20_000 },
        ]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  });

  describe('when given a schema name that is not an identifier', () => {
    it('refuses it before connecting', async () => {
      await expect(openPostgresReadModelStore(URL, { schema: 'x; DROP SCHEMA public' })).rejects.toThrow(/must match/);
    });
  });
});
