import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../test/support/report.fixtures.js';
import { liveLinks } from './page-layout.js';
import { commitUrl, compareUrl, renderRepoDiff, type RepoDiffView } from './repo-diff.renderer.js';

const side = (ref: string, commitHash: string) => ({
  ref,
  asOf: null,
  repoDir: `${commitHash.slice(0, 2)}/${commitHash.slice(2, 4)}/${commitHash}_d1d1d1d1`,
  commitHash,
  distroHash: 'd1d1d1d1ffff',
  buildId: `build-${commitHash}`,
  packages: 3,
});
const pkg = (name: string, commitHash: string, nvr: string) => ({
  name,
  commitHash,
  distroHash: 'd1d1d1d1ffff',
  status: 'SUCCESS',
  nvr,
});

const VIEW: RepoDiffView = {
  from: side('consistent', 'aaaa1111'),
  to: side('current', 'bbbb2222'),
  added: [pkg('cinder', 'c1', 'cinder-1')],
  removed: [pkg('<keystone>', 'k1', 'keystone-1')],
  changed: [
    {
      name: 'nova',
      from: pkg('nova', 'n1n1n1n1n1n1n1', 'nova-1'),
      to: pkg('nova', 'n2n2n2n2n2n2n2', 'nova-2'),
      upstreamChanged: true,
      distgitChanged: false,
      upstreamUrl: 'https://github.com/openstack/nova',
    },
  ],
  unchanged: 1,
};

describe('diff.html', () => {
  const page = renderRepoDiff(VIEW, SETTINGS, liveLinks(SETTINGS.baseurl));

  it('counts what changed under the heading', () => {
    expect(page).toContain('1 changed, 1 added, 1 removed, 1 unchanged');
  });

  it('shows a changed package with both NVRs and its upstream range linked to the forge', () => {
    const row = page.slice(page.indexOf('data-package="nova"'), page.indexOf('</tr>', page.indexOf('data-package="nova"')));
    expect(row).toContain('nova-1');
    expect(row).toContain('nova-2');
    expect(row).toContain('href="https://github.com/openstack/nova/commit/n2n2n2n2n2n2n2"');
    expect(row).toContain('href="https://github.com/openstack/nova/compare/n1n1n1n1n1n1n1...n2n2n2n2n2n2n2"');
  });

  it('lists added and removed packages, escaped', () => {
    expect(page).toMatch(/<tr class="added" data-package="cinder">\s*<td>added<\/td>/);
    expect(page).toContain('data-package="&lt;keystone&gt;"');
    expect(page).not.toContain('<keystone>');
  });

  it('links both repositories, their builds, and the swapped diff', () => {
    expect(page).toContain(`href="https://trunk.example.org/centos9-master/aa/aa/aaaa1111_d1d1d1d1"`);
    expect(page).toContain('href="build/build-bbbb2222.html"');
    expect(page).toContain('href="diff.html?from=current&amp;to=consistent"');
  });
});

describe('compareUrl', () => {
  it('links GitHub and opendev compare pages, and nothing for other forges', () => {
    expect(compareUrl('https://github.com/openstack/nova', 'a', 'b')).toBe('https://github.com/openstack/nova/compare/a...b');
    expect(compareUrl('https://opendev.org/openstack/nova', 'a', 'b')).toBe('https://opendev.org/openstack/nova/compare/a...b');
    expect(compareUrl('https://git.openstack.org/openstack/nova', 'a', 'b')).toBeNull();
    expect(compareUrl('file:///srv/git/nova', 'a', 'b')).toBeNull();
    expect(compareUrl(null, 'a', 'b')).toBeNull();
  });
});

describe('commitUrl', () => {
  it("links a commit where the forge is known, and not to DLRN's bare upstream elsewhere", () => {
    expect(commitUrl('https://github.com/openstack/nova', 'abc')).toBe('https://github.com/openstack/nova/commit/abc');
    expect(commitUrl('file:///srv/git/nova', 'abc')).toBeNull();
    expect(commitUrl(null, 'abc')).toBeNull();
  });
});
