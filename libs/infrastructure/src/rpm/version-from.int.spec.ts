import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, git, tempDir, writeFiles } from '../../../../test/support/rpm-build.fixtures.js';
import { BuildLog } from './build-log.js';
import { SourceTreeReader } from './source-tree.reader.js';

/*
 * rdoinfo's `version-from` on a real clone: DLRN's `git merge -s ours <ref>` made as a commit
 * object only, so the ref's tags count for `git describe` and the clone is left as it was.
 */
describe('describing a commit with version-from', () => {
  const root = tempDir('dlrnversionfrom');
  const env = fixtureEnv(root);
  const upstream = join(root, 'upstream');
  const clone = join(root, 'clone');
  let log: BuildLog;
  let reader: SourceTreeReader;
  let built: string;

  beforeAll(() => {
    git(root, env, 'init', '-q', '-b', 'master', upstream);
    writeFiles(upstream, { README: 'one\n' });
    git(upstream, env, 'add', '-A');
    git(upstream, env, 'commit', '-q', '-m', 'one');
    git(upstream, env, 'tag', '1.0.0');
    writeFiles(upstream, { README: 'two\n' });
    git(upstream, env, 'commit', '-q', '-am', 'two');
    git(upstream, env, 'checkout', '-q', '-b', 'stable');
    writeFiles(upstream, { STABLE: 'x\n' });
    git(upstream, env, 'add', '-A');
    git(upstream, env, 'commit', '-q', '-m', 'stable');
    git(upstream, env, 'tag', '7.0.0');
    git(upstream, env, 'checkout', '-q', 'master');
    git(root, env, 'clone', '-q', upstream, clone);
    built = git(clone, env, 'rev-parse', 'HEAD');
    // no identity: the fake merge brings its own
    const bare = { PATH: env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    log = BuildLog.open(join(root, 'rpmbuild.log'));
    reader = new SourceTreeReader(clone, { env: bare, timeoutMs: 30_000, log });
  });
  afterAll(() => {
    log.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('counts the tags of the ref, as the fake merge does', async () => {
    expect(await reader.describeTags(built)).toMatchObject({ lastTag: '1.0.0' });
    const described = await reader.describeTags(built, 'origin/stable');
    expect(described.lastTag).toBe('7.0.0');
    // after the tag, so build_srpm.sh bumps .Z (git counts the merge as git merge would)
    expect(described.describe).toMatch(/^7\.0\.0-\d+-g[0-9a-f]+$/);
  });

  it('makes the same merge object every time and leaves HEAD and the branches alone', async () => {
    const first = await reader.describeTags(built, 'origin/stable');
    const second = await reader.describeTags(built, 'origin/stable');
    expect(second).toEqual(first);
    expect(git(clone, env, 'rev-parse', 'HEAD')).toBe(built);
    expect(git(clone, env, 'status', '--porcelain')).toBe('');
  });

  it('refuses a ref the clone does not have, naming it', async () => {
    await expect(reader.describeTags(built, 'origin/nope')).rejects.toThrow(
      `version-from origin/nope: no such commit in ${clone}`,
    );
  });

  it('refuses what is not a reference (an option, blanks)', async () => {
    await expect(reader.describeTags(built, '--output=/tmp/x')).rejects.toThrow('is not a git reference');
    await expect(reader.describeTags(built, 'a b')).rejects.toThrow('is not a git reference');
  });
});
