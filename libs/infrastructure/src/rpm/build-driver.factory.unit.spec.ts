import { describe, expect, it } from 'vitest';
import { createBuildDriver } from './build-driver.factory.js';
import { CoprBuildDriver } from './copr.driver.js';
import { KojiBuildDriver } from './koji.driver.js';
import { MockBuildDriver } from './mock.driver.js';
import { RpmbuildBuildDriver } from './rpmbuild.driver.js';

const MOCK = {
  datadir: '/var/lib/dlrn/data',
  configdir: '/etc/dlrn',
  target: 'centos-stream-9',
  reponame: 'delorean',
  baseurl: 'https://trunk.example.org',
  depsUrl: null,
  installAfterBuild: true,
};

describe('choosing the build driver', () => {
  it('makes the rpmbuild driver', () => {
    expect(createBuildDriver('rpmbuild')).toBeInstanceOf(RpmbuildBuildDriver);
  });

  it("makes the mock driver from its short name or DLRN's class path", () => {
    expect(createBuildDriver('mock', { mock: MOCK })).toBeInstanceOf(MockBuildDriver);
    expect(createBuildDriver('dlrn.drivers.mockdriver.MockBuildDriver', { mock: MOCK }).name).toBe('mock');
  });

  it('asks for the mock options when they are missing', () => {
    expect(() => createBuildDriver('mock')).toThrow(/build driver mock needs its options/);
  });

  it('makes the koji driver, named by its short name or class path, from [kojibuild_driver]', () => {
    const koji = {
      kojiExe: 'cbs',
      krbPrincipal: null,
      krbKeytab: null,
      scratchBuild: true,
      buildTarget: 'cloud9s-openstack-trunk-el9',
      additionalKojiTags: [],
    };
    expect(createBuildDriver('koji', { koji })).toBeInstanceOf(KojiBuildDriver);
    expect(createBuildDriver('dlrn.drivers.kojidriver.KojiBuildDriver', { koji }).name).toBe('koji');
  });

  it('makes the copr driver from [coprbuild_driver]', () => {
    expect(
      createBuildDriver('dlrn.drivers.coprdriver.CoprBuildDriver', { copr: { coprid: '@openstack/trunk' } }),
    ).toBeInstanceOf(CoprBuildDriver);
  });

  it.each(['koji', 'copr'])('asks for the %s options when they are missing', (name) => {
    expect(() => createBuildDriver(name)).toThrow(`build driver ${name} needs its options`);
  });

  it('refuses a coprid that is not owner/project', () => {
    expect(() => createBuildDriver('copr', { copr: { coprid: 'trunk' } })).toThrow(
      '[coprbuild_driver] coprid "trunk" is not owner/project (or @group/project)',
    );
  });

  it('refuses an unknown driver', () => {
    expect(() => createBuildDriver('kbuilder')).toThrow(
      'unknown build driver "kbuilder"; use mock, rpmbuild, koji or copr',
    );
  });
});
