import type { BranchPolicy } from './git.ports.js';

/**
 * Where a fallback ref must exist for it to be used (DLRN checks each one differently):
 * `remote-branch` under `refs/remotes/origin/`, `tag` under `refs/tags/`, `local-branch` under
 * `refs/heads/` (DLRN's `git branch --list master`, so only a branch the clone already has).
 */
export type FallbackRefKind = 'remote-branch' | 'tag' | 'local-branch';

export interface FallbackRef {
  readonly kind: FallbackRefKind;
  readonly ref: string;
}

export interface BranchFallback {
  /** Refs to try in order; the first that exists is checked out. Empty: the failure stands. */
  readonly candidates: readonly FallbackRef[];
  /** Why the missing branch is an error when no candidate exists (for the refresh error). */
  readonly whenNoneExists: string;
}

const STABLE = 'stable/';

/**
 * DLRN `refreshrepo`'s answer to a branch that could not be checked out (§1.2):
 * - a branch matching a `nonfallback_branches` regex (anchored at the start, like Python
 *   `re.match`) never falls back — this check comes first, even for the source branch;
 * - the configured source branch `stable/<x>` tries the remote branch `unmaintained/<x>`, then
 *   the tag `<x>-eol`, then, only with `fallback_to_master`, the local `master`, then `main`;
 * - a dist-git branch `*-rdo` falls back to `rpm-master` with `fallback_to_master`;
 * - any other ref is an error: only the default source may fall back.
 * Like Python's `str.replace`, every `stable/` in the name is rewritten, so a source branch
 * `master` yields the tag `master-eol` and, having no `stable/`, no `unmaintained/` candidate
 * (it would be the very branch that just failed).
 */
export function branchFallback(branch: string, policy: BranchPolicy): BranchFallback {
  for (const pattern of policy.nonfallbackBranches) {
    const matched = matchesAtStart(pattern, branch);
    if (matched === 'invalid') {
      return refused(`nonfallback_branches pattern '${pattern}' is not a valid regular expression`);
    }
    if (matched) return refused(`it matches nonfallback_branches pattern '${pattern}', which never falls back`);
  }

  if (branch === policy.sourceBranch) {
    const candidates: FallbackRef[] = [];
    const unmaintained = branch.replaceAll(STABLE, 'unmaintained/');
    if (unmaintained !== branch) candidates.push({ kind: 'remote-branch', ref: unmaintained });
    const eolTag = `${branch.replaceAll(STABLE, '')}-eol`;
    candidates.push({ kind: 'tag', ref: eolTag });
    if (!policy.fallbackToMaster) {
      return {
        candidates,
        whenNoneExists: `no fallback exists (${describe(candidates)}) and fallback_to_master is off`,
      };
    }
    candidates.push({ kind: 'local-branch', ref: 'master' }, { kind: 'local-branch', ref: 'main' });
    return { candidates, whenNoneExists: `no fallback exists (${describe(candidates)})` };
  }

  if (branch.endsWith('-rdo')) {
    if (!policy.fallbackToMaster) return refused('fallback_to_master is off');
    return {
      candidates: [{ kind: 'remote-branch', ref: 'rpm-master' }],
      whenNoneExists: 'its fallback branch rpm-master does not exist either',
    };
  }

  return refused('it is not the default source branch in the DLRN config (check the package configuration)');
}

function refused(reason: string): BranchFallback {
  return { candidates: [], whenNoneExists: reason };
}

/** Python `re.match`: the pattern must match at the start, not necessarily to the end. */
function matchesAtStart(pattern: string, text: string): boolean | 'invalid' {
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})`);
  } catch {
    // Python raises on a bad pattern and the package is skipped: refusing the fallback matches.
    return 'invalid';
  }
  return regex.test(text);
}

function describe(candidates: readonly FallbackRef[]): string {
  return candidates.map(({ kind, ref }) => `${kind.replace('-', ' ')} ${ref}`).join(', ');
}
