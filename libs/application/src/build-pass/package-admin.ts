import { buildDecider } from '#domain/build/build.decider.js';
import type { BuildHistory } from '#domain/build/build-history.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { DomainError } from '#domain/shared/errors.js';
import type { EventContext } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';

/** `dlrn --status`: `<type right-aligned in 9> <name> <status>`, last attempt of any status or NO_BUILD. */
export function statusLines(history: BuildHistory, packages: readonly PackageInfo[]): string[] {
  return packages.map(
    (pkg) => `${'rpm'.padStart(9)} ${pkg.name} ${history.lastAttempt(pkg.name)?.status ?? 'NO_BUILD'}`,
  );
}

/**
 * `dlrn --recheck [--force-recheck]`: the last processed (non-RETRY) build of each package is
 * rechecked so the next pass builds it again. Returns one message per package and whether all
 * succeeded (DLRN exits 1 otherwise).
 */
export async function recheckPackages(options: {
  readonly commands: DeciderCommandHandler;
  readonly history: BuildHistory;
  readonly packages: readonly PackageInfo[];
  readonly force: boolean;
  readonly allowForceRechecks: boolean;
  readonly context: EventContext;
}): Promise<{ ok: boolean; messages: string[] }> {
  const messages: string[] = [];
  let ok = true;
  for (const pkg of options.packages) {
    const row = options.history.lastProcessed(pkg.name);
    if (!row) {
      ok = false;
      messages.push(
        `${pkg.name}: There are no existing commits or the commit to be rechecked is already marked as RETRY.`,
      );
      continue;
    }
    try {
      await options.commands.handle(
        row.streamId,
        buildDecider,
        { type: 'RecheckBuild', force: options.force, allowForceRechecks: options.allowForceRechecks },
        options.context,
      );
      messages.push(`${pkg.name}: commit ${row.commit.commitHash} (${row.status}) will be built again on the next run`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      ok = false;
      messages.push(`${pkg.name}: ${error.message}`);
    }
  }
  return { ok, messages };
}
