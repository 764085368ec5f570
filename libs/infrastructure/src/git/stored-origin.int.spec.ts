import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedOriginUrl } from './stored-origin.js';

const root = mkdtempSync(join(tmpdir(), 'stored-origin-'));
const git = (cwd: string, args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });

/** A real clone of a one-commit upstream, its config then replaced by `config` when given. */
function clone(name: string, config?: string): string {
  const dir = join(root, name);
  git(root, ['clone', '--quiet', '--', join(root, 'upstream'), dir]);
  if (config !== undefined) writeFileSync(join(dir, '.git', 'config'), config);
  return dir;
}

const CORE = '[core]\n\trepositoryformatversion = 0\n\tbare = false\n';

beforeAll(() => {
  const upstream = join(root, 'upstream');
  mkdirSync(upstream);
  git(upstream, ['init', '--quiet', '-b', 'master']);
  git(upstream, [
    '-c',
    'user.name=U',
    '-c',
    'user.email=u@example.org',
    'commit',
    '--quiet',
    '--allow-empty',
    '-m',
    'one',
  ]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('storedOriginUrl', () => {
  describe('when the directory is a clone git made', () => {
    it('answers what `git remote get-url origin` answers, without running git', async () => {
      const dir = clone('plain');
      expect(await storedOriginUrl(dir)).toBe(git(dir, ['remote', 'get-url', 'origin']).trim());
      expect(await storedOriginUrl(dir)).toBe(join(root, 'upstream'));
    });
  });

  describe('when the config is plain but written by hand', () => {
    it('reads section and key names without regard to case, and skips comments and other remotes', async () => {
      const dir = clone(
        'hand',
        `${CORE}# a comment\n[remote "mirror"]\n\turl = https://mirror.example.org/x\n[REMOTE "origin"]\n\t; another\n\tURL = https://example.org/x.git  \n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
      );
      expect(await storedOriginUrl(dir)).toBe('https://example.org/x.git');
    });
  });

  describe('when the config holds what this reader cannot answer for exactly', () => {
    const cases: [string, string][] = [
      ['an include', `${CORE}[include]\n\tpath = other\n[remote "origin"]\n\turl = /x\n`],
      ['an includeIf', `${CORE}[includeIf "gitdir:/x/"]\n\tpath = other\n[remote "origin"]\n\turl = /x\n`],
      ['the old [remote.origin] form', `${CORE}[remote.origin]\n\turl = /x\n`],
      ['a quoted value', `${CORE}[remote "origin"]\n\turl = "/x y"\n`],
      ['an escape', `${CORE}[remote "origin"]\n\turl = /x\\ty\n`],
      ['a trailing comment', `${CORE}[remote "origin"]\n\turl = /x # old\n`],
      ['a continued line', `${CORE}[remote "origin"]\n\turl = /x\\\n/y\n`],
      ['two urls', `${CORE}[remote "origin"]\n\turl = /x\n\turl = /y\n`],
      ['no url', `${CORE}[remote "origin"]\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`],
      ['a key with no value', `${CORE}[remote "origin"]\n\turl\n`],
      ['no origin at all', CORE],
      ['a header it cannot read', `${CORE}[remote "origin" ]x\n\turl = /x\n`],
    ];
    for (const [what, config] of cases) {
      it(`answers undefined for ${what} (the caller asks git)`, async () => {
        expect(await storedOriginUrl(clone(what.replaceAll(/\W+/g, '-'), config))).toBeUndefined();
      });
    }
  });

  describe('when the directory is not a repository git would take', () => {
    it('answers undefined for a HEAD that is not a ref or a hash', async () => {
      const dir = clone('bad-head');
      writeFileSync(join(dir, '.git', 'HEAD'), 'garbage\n');
      expect(await storedOriginUrl(dir)).toBeUndefined();
    });

    it('answers undefined without objects/ or refs/', async () => {
      const noObjects = clone('no-objects');
      rmSync(join(noObjects, '.git', 'objects'), { recursive: true });
      expect(await storedOriginUrl(noObjects)).toBeUndefined();
      const noRefs = clone('no-refs');
      rmSync(join(noRefs, '.git', 'refs'), { recursive: true });
      expect(await storedOriginUrl(noRefs)).toBeUndefined();
    });

    it('answers undefined for a .git file (a worktree) and for a directory without .git', async () => {
      const worktree = join(root, 'worktree');
      mkdirSync(worktree);
      writeFileSync(join(worktree, '.git'), `gitdir: ${join(root, 'plain', '.git')}\n`);
      expect(await storedOriginUrl(worktree)).toBeUndefined();
      expect(await storedOriginUrl(join(root, 'nothing-here'))).toBeUndefined();
    });
  });
});
