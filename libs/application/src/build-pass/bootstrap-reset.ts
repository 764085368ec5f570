import type { BuildHistory } from '#domain/build/build-history.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import type { EventContext } from '#domain/shared/event.js';
import type { BuildLoopDeps, PassOptions } from './build-loop.types.js';
import { recheckPackages } from './package-admin.js';

/**
 * Whether a spec builds differently with `repo_bootstrap` defined: DLRN's test is the raw text
 * holding the word (`'repo_bootstrap' in rawspec`), whatever the macro does.
 */
export function usesRepoBootstrap(rawSpec: string): boolean {
  return rawSpec.includes('repo_bootstrap');
}

/** DLRN resets the bootstrapped packages only after a full `--order` run (no package or project named). */
export function resetsBootstrapped(options: PassOptions): boolean {
  return options.order && options.packageNames.length === 0 && options.projectNames.length === 0;
}

/**
 * After an `--order` run, DLRN sets the last processed build of every package whose spec uses
 * `repo_bootstrap` to RETRY: it was built with `-D 'repo_bootstrap 1'` (a reduced build that
 * breaks a dependency cycle), so the next run builds it again normally. Here: a recheck of that
 * build through the usual write path (BuildRechecked, forced for a SUCCESS: DLRN does not ask
 * for allow_force_rechecks there), said in the pass's log.
 */
export async function resetBootstrapped(
  deps: BuildLoopDeps,
  history: BuildHistory,
  packages: readonly PackageInfo[],
  context: EventContext,
): Promise<void> {
  if (packages.length === 0) return;
  const { messages } = await recheckPackages({
    commands: deps.commands,
    history,
    packages,
    force: true,
    allowForceRechecks: true,
    context,
  });
  for (const message of messages) deps.log(`--order: repo_bootstrap: ${message}`, { kind: 'bootstrap-reset' });
}
