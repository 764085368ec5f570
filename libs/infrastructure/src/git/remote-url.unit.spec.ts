import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloneSource, isLocalPath, sameRemote } from './remote-url.js';

describe('remote URLs', () => {
  describe('when telling local paths from remote URLs (git rules)', () => {
    it.each(['/srv/git/nova', './nova', 'nova', '../up/nova.git', './dir:with-colon'])('treats %s as a path', (url) => {
      expect(isLocalPath(url)).toBe(true);
    });

    it.each(['https://opendev.org/openstack/nova', 'file:///srv/git/nova', 'git@github.com:o/r.git', 'host:path'])(
      'treats %s as a URL',
      (url) => {
        expect(isLocalPath(url)).toBe(false);
      },
    );
  });

  describe('when a relative path is cloned', () => {
    it('resolves it against the working directory', () => {
      expect(cloneSource('./up')).toBe(resolve('up'));
      expect(cloneSource('https://example.org/r')).toBe('https://example.org/r');
    });
  });

  describe("when comparing the clone's origin with the configured URL", () => {
    it('accepts the path git recorded for a relative path', () => {
      expect(sameRemote('./up', `${process.cwd()}/./up`)).toBe(true);
    });

    it('reports a changed URL', () => {
      expect(sameRemote('https://example.org/a', 'https://example.org/b')).toBe(false);
      expect(sameRemote('file:///srv/up', '/srv/up')).toBe(false);
    });
  });
});
