import { describe, expect, it } from 'vitest';
import { renderDirectoryListing } from './directory-listing.renderer.js';

const when = new Date('2026-12-05T01:02:03.456Z');

describe('directory listing of /repos/', () => {
  it('lists directories first then files, by name, each with its date and size, and a way up', () => {
    const html = renderDirectoryListing(
      '/repos/current/',
      [{ name: 'repodata', href: '/repos/current/repodata', size: null, modified: when }],
      [
        { name: 'z.rpm', href: '/repos/current/z.rpm', size: 2048, modified: when },
        { name: 'delorean.repo', href: '/repos/current/delorean.repo', size: 120, modified: when },
      ],
    );
    expect(html).toContain('<h1>Index of /repos/current/</h1>');
    expect(html).toContain('<a href="../">../</a>');
    const order = ['repodata/', 'delorean.repo', 'z.rpm'].map((name) => html.indexOf(`>${name}</a>`));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(html).toContain('<td>2026-12-05 01:02:03</td><td>2048</td>');
    expect(html).toContain('<a href="/repos/current/repodata/">repodata/</a></td><td>2026-12-05 01:02:03</td><td>-</td>');
  });

  it('escapes names that a packager does not control the spelling of', () => {
    const html = renderDirectoryListing(
      '/repos/<x>/',
      [],
      [{ name: '"><script>alert(1)</script>.rpm', href: '/repos/x/%22%3E', size: 1, modified: null }],
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.rpm');
    expect(html).toContain('Index of /repos/&lt;x&gt;/');
  });

  it('the top of /repos/ has no way up, and an empty directory says so', () => {
    expect(renderDirectoryListing('/repos/', [], [])).not.toContain('../');
    expect(renderDirectoryListing(null, [], [])).toContain('<h1>Empty directory</h1>');
  });
});
