import { describe, expect, it } from 'vitest';
import { createBuildDriver } from './build-driver.factory.js';
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

  it.each(['koji', 'dlrn.drivers.coprdriver.CoprBuildDriver'])('says %s is not supported yet', (name) => {
    expect(() => createBuildDriver(name)).toThrow(/is not supported yet/);
  });

  it('refuses an unknown driver', () => {
    expect(() => createBuildDriver('kbuilder')).toThrow('unknown build driver "kbuilder"; use mock or rpmbuild');
  });
});
