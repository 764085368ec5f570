import { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDemoCommits, createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { runDlrn } from '../support/cli.js';

describe('dlrn admin commands', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-admin-'));
  let configFile: string;
  const events = async (type: string) => {
    const store = new SqliteEventStore(join(root, 'data', 'events.sqlite'));
    try {
      return (await store.readAll({ maxCount: 10_000 })).filter((e) => e.type === type);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const packages = await createDemoRepositories(root, start);
    configFile = await writeDemoConfig(root, packages);
    const pass = ['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')];
    expect((await runDlrn(pass)).code).toBe(0);
    await addDemoCommits(packages, start);
    expect((await runDlrn(pass)).code).toBe(1);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('dlrn user', () => {
    it('creates a user with a scrypt hash, refuses a duplicate, updates and deletes it', async () => {
      const user = (...args: string[]) => runDlrn(['user', '--config-file', configFile, ...args]);
      expect((await user('create', '--username', 'ci-bot', '--password', 's3cret')).code).toBe(0);
      const [created] = await events('UserCreated');
      expect((created!.data as { passwordHash: string }).passwordHash).toMatch(/^\$scrypt\$/);
      expect(JSON.stringify(created!.data)).not.toContain('s3cret');
      const again = await user('create', '--username', 'ci-bot', '--password', 'x');
      expect(again.code).toBe(255);
      expect(again.stderr).toMatch(/User ci-bot already exists/);
      expect((await user('update', '--username', 'ci-bot', '--password', 'n3w')).code).toBe(0);
      expect((await user('delete', '--username', 'ci-bot', '--force')).code).toBe(0);
      expect((await user('delete', '--username', 'ci-bot', '--force')).code).toBe(255);
      expect((await events('UserDeleted')).length).toBe(1);
    });
  });

  describe('dlrn purge', () => {
    it('says what it would do with --dry-run and changes nothing', async () => {
      const run = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '--dry-run']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/would purge broken-tool/);
      expect(await events('BuildPurged')).toEqual([]);
    });

    it('removes the failed build, keeps what the pointers and newer repositories need, and records it', async () => {
      const repos = join(root, 'data', 'repos');
      const current = readlinkSync(join(repos, 'current'));
      const run = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '-y']);
      expect(run.code).toBe(0);
      const purged = await events('BuildPurged');
      // first-pass successes of python-greeting and demo-data were superseded, but `consistent`
      // (broken-tool's first build) links their RPMs: they stay; broken-tool's only success stays
      // (newer repositories link to it), its failure goes
      expect(purged.map((e) => e.streamId.split('@')[0])).toEqual(['build-broken-tool']);
      for (const event of purged) {
        const { repoDir, directoryRemoved } = event.data as { repoDir: string; directoryRemoved: boolean };
        expect(existsSync(join(repos, repoDir))).toBe(!directoryRemoved);
      }
      expect(existsSync(join(repos, current, 'repodata', 'repomd.xml'))).toBe(true);
      const again = await runDlrn(['purge', '--config-file', configFile, '--older-than', '0', '-y']);
      expect(again.stdout).toMatch(/nothing to purge/);
    });
  });
});
