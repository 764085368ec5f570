import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSpecReplaceList } from '#domain/package/spec-replace.js';
import { overlayUpstreamSpec, type UpstreamSpecOverlay } from './downstream-distgit.js';

const spec = (version: string, changelog: string) =>
  `Name: pkg\nVersion: ${version}\nRelease: 1\n\n%changelog\n${changelog}\n`;

/**
 * `use_upstream_spec` on real directories: an upstream dist-git (`up/`) copied over a downstream
 * one (`down/`), with `outside/` beside them for what neither clone holds.
 */
describe('the upstream spec overlay (use_upstream_spec), on real directories', () => {
  let root: string;
  let up: string;
  let down: string;
  let outside: string;
  let skipped: [string, string][];
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'downstream-overlay-'));
    [up, down, outside] = [join(root, 'up'), join(root, 'down'), join(root, 'outside')];
    await Promise.all([mkdir(up), mkdir(down), mkdir(outside)]);
    skipped = [];
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const overlay = (options: Partial<UpstreamSpecOverlay> = {}) =>
    overlayUpstreamSpec({
      upstreamDir: up,
      downstreamDir: down,
      rules: [],
      keepChangelog: false,
      skipped: (name, why) => skipped.push([name, why]),
      ...options,
    });
  const text = (path: string) => readFile(path, 'utf8');

  describe('when the upstream dist-git holds regular files', () => {
    it('copies each over the downstream one, byte for byte without rules, and leaves the others', async () => {
      await writeFile(join(up, 'pkg.spec'), spec('2.0', '* upstream'));
      await writeFile(join(up, 'patch.diff'), 'diff\n');
      await writeFile(join(down, 'pkg.spec'), spec('1.0', '* downstream'));
      await writeFile(join(down, 'downstream-only.txt'), 'kept\n');
      await overlay();
      expect(await text(join(down, 'pkg.spec'))).toBe(spec('2.0', '* upstream'));
      expect(await text(join(down, 'patch.diff'))).toBe('diff\n');
      expect(await text(join(down, 'downstream-only.txt'))).toBe('kept\n');
      expect(skipped).toEqual([]);
    });

    it('leaves hidden entries (.git, .gitignore) out, silently', async () => {
      await writeFile(join(up, '.gitignore'), '*.tar.gz\n');
      await mkdir(join(up, '.git'));
      await writeFile(join(up, 'a.'), 'ends with a dot\n');
      await overlay();
      await expect(lstat(join(down, '.gitignore'))).rejects.toThrow(/ENOENT/);
      await expect(lstat(join(down, '.git'))).rejects.toThrow(/ENOENT/);
      expect(await text(join(down, 'a.'))).toBe('ends with a dot\n');
      expect(skipped).toEqual([]);
    });
  });

  describe('when an upstream entry is not a regular file', () => {
    it('skips a directory, saying so, and goes on with the rest in name order', async () => {
      await mkdir(join(up, 'b-dir'));
      await writeFile(join(up, 'c.txt'), 'c\n');
      await mkdir(join(up, 'a-dir'));
      await overlay();
      expect(skipped).toEqual([
        ['a-dir', 'not a regular file'],
        ['b-dir', 'not a regular file'],
      ]);
      expect(await text(join(down, 'c.txt'))).toBe('c\n');
    });
  });

  describe('when an upstream entry is a symbolic link', () => {
    const LINK_REFUSED = 'a symbolic link to something other than a file of the upstream dist-git';

    it('copies the file a link inside the clone points at, as a regular file', async () => {
      await writeFile(join(up, 'real.txt'), 'real\n');
      await symlink('real.txt', join(up, 'alias.txt'));
      await overlay();
      expect((await lstat(join(down, 'alias.txt'))).isFile()).toBe(true);
      expect(await text(join(down, 'alias.txt'))).toBe('real\n');
      expect(skipped).toEqual([]);
    });

    it.each([
      ['to a file outside the clone (../outside/secret)', '../outside/secret'],
      ['to an absolute path outside the clone', 'ABSOLUTE'],
      ['to the parent directory itself', '..'],
      ['to a directory inside the clone', 'sub'],
      ['to nothing (dangling)', 'missing'],
      ['to the clone itself', '.'],
    ])('refuses a link %s, saying why, and copies nothing through it', async (_, target) => {
      await writeFile(join(outside, 'secret'), 'builder secret\n');
      await mkdir(join(up, 'sub'));
      await writeFile(join(up, 'sub', 'x'), 'x\n');
      await symlink(target === 'ABSOLUTE' ? join(outside, 'secret') : target, join(up, 'link'));
      await overlay();
      expect(skipped).toContainEqual(['link', LINK_REFUSED]);
      await expect(lstat(join(down, 'link'))).rejects.toThrow(/ENOENT/);
    });

    it('refuses a link to a sibling directory whose name starts with the clone\'s ("up-evil")', async () => {
      await mkdir(join(root, 'up-evil'));
      await writeFile(join(root, 'up-evil', 'f'), 'evil\n');
      await symlink(join(root, 'up-evil', 'f'), join(up, 'link'));
      await overlay();
      expect(skipped).toEqual([['link', LINK_REFUSED]]);
    });

    it('follows the clone through a link to it (the clone path itself may be a link)', async () => {
      await writeFile(join(up, 'real.txt'), 'real\n');
      await symlink('real.txt', join(up, 'alias.txt'));
      await symlink(up, join(root, 'up-link'));
      await overlay({ upstreamDir: join(root, 'up-link') });
      expect(await text(join(down, 'alias.txt'))).toBe('real\n');
      expect(skipped).toEqual([]);
    });
  });

  describe('when the downstream clone holds a link or a directory where a file is copied', () => {
    it('replaces the link, never writing through it (the file it pointed at is unchanged)', async () => {
      await writeFile(join(outside, 'victim'), 'untouched\n');
      await symlink(join(outside, 'victim'), join(down, 'pkg.spec'));
      await writeFile(join(up, 'pkg.spec'), spec('2.0', '* upstream'));
      await overlay();
      expect(await text(join(outside, 'victim'))).toBe('untouched\n');
      expect((await lstat(join(down, 'pkg.spec'))).isFile()).toBe(true);
      expect(await text(join(down, 'pkg.spec'))).toBe(spec('2.0', '* upstream'));
    });

    it('replaces a directory of that name by the file', async () => {
      await mkdir(join(down, 'data'));
      await writeFile(join(down, 'data', 'old'), 'old\n');
      await writeFile(join(up, 'data'), 'new\n');
      await overlay();
      expect(await text(join(down, 'data'))).toBe('new\n');
    });
  });

  describe('downstream_spec_replace_list', () => {
    it('rewrites every regular spec of the downstream clone, and only specs', async () => {
      await writeFile(join(up, 'a.spec'), 'Release: 1\n');
      await writeFile(join(up, 'b.spec'), 'Release: 1\n');
      await writeFile(join(up, 'notes.txt'), 'Release: 1\n');
      await overlay({ rules: parseSpecReplaceList(['^Release: 1$/Release: 1.ds']) });
      expect(await text(join(down, 'a.spec'))).toBe('Release: 1.ds\n');
      expect(await text(join(down, 'b.spec'))).toBe('Release: 1.ds\n');
      expect(await text(join(down, 'notes.txt'))).toBe('Release: 1\n');
    });

    it('does not write through a spec that is a link in the downstream clone', async () => {
      await writeFile(join(outside, 'other.spec'), 'Release: 1\n');
      await symlink(join(outside, 'other.spec'), join(down, 'linked.spec'));
      await overlay({ rules: parseSpecReplaceList(['^Release: 1$/Release: 1.ds']) });
      expect(await text(join(outside, 'other.spec'))).toBe('Release: 1\n');
      expect(await readlink(join(down, 'linked.spec'))).toBe(join(outside, 'other.spec'));
    });
  });

  describe('keep_changelog', () => {
    it("puts the downstream %changelog back into the copied spec (the last downstream spec's, by name)", async () => {
      await writeFile(join(down, 'a.spec'), spec('1.0', '* first downstream'));
      await writeFile(join(down, 'pkg.spec'), spec('1.0', '* downstream log'));
      await writeFile(join(up, 'pkg.spec'), spec('2.0', '* upstream log'));
      await overlay({ keepChangelog: true });
      expect(await text(join(down, 'pkg.spec'))).toBe(spec('2.0', '* downstream log'));
      expect(await text(join(down, 'a.spec'))).toBe(spec('1.0', '* downstream log'));
    });

    it('with no downstream spec to take it from, the copied spec keeps no changelog (DLRN restores an empty one)', async () => {
      await writeFile(join(up, 'pkg.spec'), spec('2.0', '* upstream log'));
      await overlay({ keepChangelog: true });
      expect(await text(join(down, 'pkg.spec'))).toBe('Name: pkg\nVersion: 2.0\nRelease: 1\n\n');
    });

    it('without it, the upstream changelog stays', async () => {
      await writeFile(join(down, 'pkg.spec'), spec('1.0', '* downstream log'));
      await writeFile(join(up, 'pkg.spec'), spec('2.0', '* upstream log'));
      await overlay({ keepChangelog: false, rules: parseSpecReplaceList(['^Version: 2.0$/Version: 2.0.1']) });
      expect(await text(join(down, 'pkg.spec'))).toBe(
        spec('2.0', '* upstream log').replace('Version: 2.0', 'Version: 2.0.1'),
      );
    });
  });
});
