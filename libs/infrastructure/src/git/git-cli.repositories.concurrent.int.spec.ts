import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BranchPolicy } from '#domain/package/git.ports.js';
import { addCommit, createUpstream, gitTestEnv, tempDir } from '../../../../test/support/git-fixtures.js';
import { GitCliRepositories } from './git-cli.repositories.js';

const POLICY: BranchPolicy = { sourceBranch: 'main', fallbackToMaster: true, nonfallbackBranches: ['^master$'] };

/**
 * Several builders refreshing one clone at the same moment (issue 15: "Another git process
 * seems to be running in this repository"): each refresh holds the clone's lock, so all succeed
 * and see the upstream's tip. Separate GitCliRepositories stand for separate processes: the
 * lock is an flock, which excludes open files, not processes.
 */
describe('concurrent refreshes of one clone', () => {
  const root = tempDir('dlrn-git-concurrent-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('all succeed, one at a time, on the latest tip', async () => {
    const upstream = await createUpstream(join(root, 'upstream.git'), { commits: 3 });
    const dir = join(root, 'clone');
    const builders = Array.from({ length: 8 }, () => new GitCliRepositories({ env: gitTestEnv() }));
    const refresh = (git: GitCliRepositories) =>
      git.refresh({ url: upstream.url, dir, branch: 'main', local: false, policy: POLICY });
    for (let round = 0; round < 4; round++) {
      const tip = await addCommit(upstream.dir, { message: `round ${round}`, date: 1_800_000_000 + round });
      const results = await Promise.allSettled(builders.map(refresh));
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(errors).toEqual([]);
      for (const r of results) if (r.status === 'fulfilled') expect(r.value.head.hash).toBe(tip.hash);
    }
  }, 60_000);
});
