import { describe, expect, it } from 'vitest';
import { bisectionStreamId } from './bisection/bisection.events.js';
import { RpmBuildError } from './build/build.ports.js';
import { RemoteImportError } from './build/remote-import.error.js';
import { deliveryStreamId } from './delivery/delivery.events.js';
import { FirstParentRangeError, GitRefreshError } from './package/git.ports.js';
import { PackageSourceError } from './package/package-source.ports.js';

describe("the ports' errors", () => {
  it('name themselves and carry what the layers above map (notes, code, driver, reason, URL)', () => {
    expect(new RpmBuildError('Build failed')).toMatchObject({ name: 'RpmBuildError', notes: 'Build failed' });
    expect(new RemoteImportError('REMOTE_IMPORT_BUSY', 'x')).toMatchObject({
      name: 'RemoteImportError',
      code: 'REMOTE_IMPORT_BUSY',
    });
    expect(new PackageSourceError('rdoinfo', 'cannot clone')).toMatchObject({
      code: 'PACKAGE_SOURCE_FAILED',
      message: 'pkginfo_driver rdoinfo: cannot clone',
      details: { driver: 'rdoinfo' },
    });
    expect(new FirstParentRangeError('invalid_commit', 'c1', 'm')).toMatchObject({
      name: 'FirstParentRangeError',
      commit: 'c1',
      ends: null,
    });
    expect(new GitRefreshError('https://g/x', 'master', 'm')).toMatchObject({
      name: 'GitRefreshError',
      url: 'https://g/x',
      branch: 'master',
    });
  });
});

describe('stream ids', () => {
  it('name a bisection by its package and both ends, and a delivery by its id', () => {
    expect(bisectionStreamId('nova', 'c1', 'c9')).toBe('bisection-nova@c1_c9');
    expect(deliveryStreamId('0192f3a4')).toBe('delivery-0192f3a4');
  });
});
