import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PackageSource, type ListedPackages } from '#domain/package/package-source.ports.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { NodemailerMailer } from '#infrastructure/mail/nodemailer.mailer.js';
import { CommandReviewRunner } from '#infrastructure/review/command.review-runner.js';
import { RsyncReplicator } from '#infrastructure/rsync/rsync.replicator.js';
import { packageInfo } from '../../../../test/support/events.js';
import { CentralPublisher } from '../remote-publish/central-publisher.js';
import {
  buildDriverOptions,
  createBuildLoopDeps,
  mockConfigOf,
  preprocessOptions,
  replicatorOptions,
} from './build-loop.factory.js';
import type { BuildLoopDeps } from './build-loop.types.js';

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

  const datadir = join(root, 'data');
  /** projects.ini: `ini` follows a [DEFAULT] with datadir, baseurl and target (more [DEFAULT] lines may lead it). */
  const load = (ini: string) => {
    const file = join(root, 'projects.ini');
    writeFileSync(file, `[DEFAULT]\ndatadir=${datadir}\nbaseurl=http://trunk.example.org/\ntarget=centos9\n${ini}`);
    return loadProjectsIni(file);
  };
  const wire = (ini: string, options: { leaseMs?: number; packageSource?: PackageSource } = {}) => {
    deps = createBuildLoopDeps({
      config: load(ini),
      packages: [packageInfo('a')],
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

  describe('the mirror options', () => {
    it('copy rsyncdest, rsyncport, the known hosts file, reponame and use_components; none without rsyncdest', () => {
      const config = load(
        'rsyncdest=builder@mirror.example.org:/srv/repos\nrsyncport=2222\nreponame=trunk\nuse_components=true\n',
      );
      expect(replicatorOptions(config)).toEqual({
        datadir,
        destination: 'builder@mirror.example.org:/srv/repos',
        port: 2222,
        knownHosts: config.default.rsyncKnownHosts,
        reponame: 'trunk',
        useComponents: true,
      });
      expect(replicatorOptions(load('rsyncdest=builder@mirror.example.org:/srv/repos\n'))).toMatchObject({
        reponame: 'delorean',
        useComponents: false,
      });
      expect(replicatorOptions(load(''))).toBeNull();
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
      const d = wire('', {
        packageSource: new ListingSource({ packages: [packageInfo('b'), packageInfo('c')], refused: [] }),
      });
      expect(d.packages.map((p) => p.name)).toEqual(['a']);
      await d.packageSource!.list({ dev: false, local: false });
      expect(d.packages.map((p) => p.name)).toEqual(['b', 'c']);
    });
  });

  describe('the build driver options', () => {
    it('gives mock the [DEFAULT] values it reads, [mockbuild_driver] install_after_build and --use-public', () => {
      const config = load(
        'configdir=/etc/dlrn\nreponame=trunk\ndeps_url=http://deps.example.org/deps.repo\n[mockbuild_driver]\ninstall_after_build=false\n',
      );
      expect(buildDriverOptions(config, true).mock).toEqual({
        datadir,
        configdir: '/etc/dlrn',
        target: 'centos9',
        reponame: 'trunk',
        baseurl: 'http://trunk.example.org/',
        depsUrl: 'http://deps.example.org/deps.repo',
        installAfterBuild: false,
        usePublic: true,
      });
    });

    it('names the repository delorean and reads templates from scriptsdir when reponame and configdir are unset', () => {
      const mock = buildDriverOptions(load('scriptsdir=/usr/share/dlrn/scripts\n')).mock;
      expect(mock).toMatchObject({ reponame: 'delorean', configdir: '/usr/share/dlrn/scripts', usePublic: false });
      expect(mock?.installAfterBuild).toBe(true);
    });

    it('gives koji its section, the datadir, and no downstream rewrite with another package source', () => {
      const config = load(
        'build_driver=dlrn.drivers.kojidriver.KojiBuildDriver\n[kojibuild_driver]\nkoji_exe=cbs\nbuild_target=cloud9s-openstack-el9s\nscratch_build=false\n',
      );
      expect(buildDriverOptions(config).koji).toMatchObject({
        kojiExe: 'cbs',
        buildTarget: 'cloud9s-openstack-el9s',
        scratchBuild: false,
        datadir,
        downstream: null,
      });
    });

    it("tells koji the downstream driver's use_upstream_spec when the package source is downstream", () => {
      const config = load(
        'pkginfo_driver=dlrn.drivers.downstream.DownstreamInfoDriver\nbuild_driver=dlrn.drivers.kojidriver.KojiBuildDriver\n' +
          'source=master\ndistro=rpm-master\n[kojibuild_driver]\nbuild_target=t\n' +
          '[downstream_driver]\nrepo=.\ninfo_files=rdo.yml\nversions_url=http://v.example.org/versions.csv\n' +
          'downstream_distro_branch=rhos\nuse_upstream_spec=true\n',
      );
      expect(buildDriverOptions(config).koji?.downstream).toEqual({ useUpstreamSpec: true });
    });

    it('gives copr its coprid, and an empty one when none is set (the copr driver is then refused)', () => {
      expect(buildDriverOptions(load('[coprbuild_driver]\ncoprid=@openstack/trunk\n')).copr).toEqual({
        coprid: '@openstack/trunk',
      });
      expect(buildDriverOptions(load('')).copr).toEqual({ coprid: '' });
    });
  });

  describe('the custom_preprocess options', () => {
    it('with rdoinfo, DLRN_DISTROINFO_REPO is the first info file of --info-repo, trailing slashes dropped', () => {
      const config = load(
        'custom_preprocess=/bin/true,/bin/echo\n[rdoinfo_driver]\nrepo=https://info.example.org/rdoinfo\ninfo_files=deps.yml,rdo.yml\n',
      );
      expect(preprocessOptions(config, 'builder', 'https://fork.example.org/rdoinfo//')).toEqual({
        commands: ['/bin/true', '/bin/echo'],
        user: 'builder',
        distroinfoRepo: 'https://fork.example.org/rdoinfo/deps.yml',
        downstreamDatadir: null,
      });
    });

    it('with rdoinfo and no --info-repo, it is in [rdoinfo_driver] repo; without a repo there is none', () => {
      const config = load('[rdoinfo_driver]\nrepo=https://info.example.org/rdoinfo/\n');
      expect(preprocessOptions(config, null, undefined).distroinfoRepo).toBe(
        'https://info.example.org/rdoinfo/rdo.yml',
      );
      expect(preprocessOptions(load(''), null, undefined).distroinfoRepo).toBeNull();
    });

    it('with the downstream driver, the hooks get its repo and info file, and the real datadir', () => {
      const config = load(
        'pkginfo_driver=dlrn.drivers.downstream.DownstreamInfoDriver\nsource=master\ndistro=rpm-master\n' +
          '[rdoinfo_driver]\nrepo=https://info.example.org/not-this\n' +
          '[downstream_driver]\nrepo=https://info.example.org/downstream\ninfo_files=osp.yml\n' +
          'versions_url=http://v.example.org/versions.csv\ndownstream_distro_branch=rhos\n',
      );
      expect(preprocessOptions(config, null, undefined)).toMatchObject({
        distroinfoRepo: 'https://info.example.org/downstream/osp.yml',
        downstreamDatadir: resolve(datadir),
      });
    });

    it('with the gitrepo driver, the hooks get neither', () => {
      const config = load(
        'pkginfo_driver=dlrn.drivers.gitrepo.GitRepoDriver\n[rdoinfo_driver]\nrepo=https://info.example.org/rdoinfo\n' +
          '[gitrepo_driver]\nrepo=https://git.example.org/packages\ndirectory=/openstack\n' +
          '[downstream_driver]\nrepo=https://info.example.org/downstream\ninfo_files=osp.yml\n',
      );
      expect(preprocessOptions(config, null, 'https://fork.example.org/rdoinfo')).toMatchObject({
        distroinfoRepo: null,
        downstreamDatadir: null,
      });
    });
  });

  describe('the mock configuration of a build worker', () => {
    it('is <datadir>/dlrn-<worker>.cfg with the mock driver, and none with another', () => {
      expect(mockConfigOf(load(''), 2)).toBe(join(datadir, 'dlrn-2.cfg'));
      expect(mockConfigOf(load('build_driver=rpmbuild\n'), 2)).toBeNull();
    });
  });
});
