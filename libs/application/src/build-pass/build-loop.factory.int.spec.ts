import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PackageInfo } from '#domain/package/package-info.js';
import { PackageSource, type ListedPackages } from '#domain/package/package-source.ports.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { NodemailerMailer } from '#infrastructure/mail/nodemailer.mailer.js';
import { CommandReviewRunner } from '#infrastructure/review/command.review-runner.js';
import { RsyncReplicator } from '#infrastructure/rsync/rsync.replicator.js';
import { CentralPublisher } from '../remote-publish/central-publisher.js';
import { createBuildLoopDeps } from './build-loop.factory.js';
import type { BuildLoopDeps } from './build-loop.types.js';

const pkg = (name: string): PackageInfo => ({
  name,
  project: name,
  upstream: `https://example.org/${name}`,
  'master-distgit': `https://example.org/${name}-distgit`,
  maintainers: [],
});

/** A package source answering `listed` once asked. */
class ListingSource extends PackageSource {
  constructor(private readonly listed: ListedPackages) {
    super();
  }
  override async list(): Promise<ListedPackages> {
    return this.listed;
  }
  override lastChange(): never {
    throw new Error('not asked here');
  }
}

/** createBuildLoopDeps from a projects.ini: which adapters each setting turns on. */
describe('the build loop wiring, from projects.ini', () => {
  const root = mkdtempSync(join(tmpdir(), 'build-loop-factory-'));
  const store = new SqliteEventStore(':memory:');
  let deps: BuildLoopDeps | null = null;
  afterEach(async () => {
    await deps?.close?.();
    deps = null;
  });
  afterAll(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  const wire = (ini: string, options: { leaseMs?: number; packageSource?: PackageSource } = {}) => {
    const file = join(root, 'projects.ini');
    writeFileSync(
      file,
      `[DEFAULT]\ndatadir=${join(root, 'data')}\nbaseurl=http://trunk.example.org/\ntarget=centos9\n${ini}`,
    );
    deps = createBuildLoopDeps({
      config: loadProjectsIni(file),
      packages: [pkg('a')],
      store,
      log: () => undefined,
      ...options,
    });
    return deps;
  };

  describe('with nothing optional set', () => {
    it('has no mailer, review runner, mirror or central service, the default lease, and claims as this process', () => {
      const d = wire('');
      expect(d.mailer).toBeNull();
      expect(d.reviews).toBeNull();
      expect(d.replicator).toBeNull();
      expect(d.central).toBeNull();
      expect('leaseMs' in d).toBe(false);
      expect(d.builderId).toMatch(new RegExp(` \\(${hostname()}:${process.pid}\\)$`));
    });
  });

  describe('with smtpserver, gerrit and rsyncdest set', () => {
    it('mails through SMTP, runs the review script and replicates to the mirror', () => {
      const d = wire(
        'smtpserver=localhost:2525\ngerrit=review.example.org\nrsyncdest=builder@mirror.example.org:/srv/repos\n',
      );
      expect(d.mailer).toBeInstanceOf(NodemailerMailer);
      expect(d.reviews).toBeInstanceOf(CommandReviewRunner);
      expect(d.replicator).toBeInstanceOf(RsyncReplicator);
    });
  });

  describe('with [service] publish_to set', () => {
    it('publishes each pass to the central service', () => {
      const d = wire('\n[service]\npublish_to=https://central.example.org\npublish_username=w\npublish_password=p\n');
      expect(d.central).toBeInstanceOf(CentralPublisher);
    });
  });

  describe('with a lease given', () => {
    it('claims builds for that long', () => {
      expect(wire('', { leaseMs: 60_000 }).leaseMs).toBe(60_000);
    });
  });

  describe('with a package source', () => {
    it('follows its latest answer: the packages are those it listed last', async () => {
      const d = wire('', { packageSource: new ListingSource({ packages: [pkg('b'), pkg('c')], refused: [] }) });
      expect(d.packages.map((p) => p.name)).toEqual(['a']);
      await d.packageSource!.list({ dev: false, local: false });
      expect(d.packages.map((p) => p.name)).toEqual(['b', 'c']);
    });
  });
});
