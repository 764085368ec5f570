import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { buildDecider } from '#domain/build/build.decider.js';
import { purgePlan, type PurgeStep } from '#domain/build/purge-plan.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventContext } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { BuildHistoryReader } from '../build-pass/build-history.reader.js';

export interface PurgeRequest {
  readonly datadir: string;
  /** Builds whose dt_build is older than this (epoch seconds) are purged. */
  readonly cutoff: number;
  /** `--exclude-dirs`: directories (relative to datadir, or absolute) whose RPMs protect their builds. */
  readonly excludeDirs: readonly string[];
}

/**
 * DLRN's `dlrn-purge` plan: the builds older than the cutoff, newest success of each package
 * kept. Unlike DLRN, the repositories `current` and `consistent` point at are never purged:
 * neither their directory nor the builds whose RPMs they link (replaced builds of other
 * packages), as if they were given to --exclude-dirs. With components on they are directories,
 * not links.
 */
export async function planPurge(store: EventStore, request: PurgeRequest): Promise<readonly PurgeStep[]> {
  const reposDir = join(request.datadir, 'repos');
  const protectedFiles = new Set<string>();
  for (const dir of request.excludeDirs) {
    const path = isAbsolute(dir) ? dir : join(request.datadir, dir);
    if (existsSync(path)) for (const file of readdirSync(path)) protectedFiles.add(file);
  }
  const pointed = new Set<string>();
  for (const name of ['current', 'consistent']) {
    let target: string;
    try {
      target = readlinkSync(join(reposDir, name));
    } catch {
      continue;
    }
    pointed.add(target);
    const dir = resolve(reposDir, target);
    if (existsSync(dir)) for (const file of readdirSync(dir)) protectedFiles.add(file);
  }
  const history = await new BuildHistoryReader(store).catchUp();
  return purgePlan(
    history.allRows(),
    request.cutoff,
    (row) => pointed.has(row.repoDir) || row.artifacts.some((a) => protectedFiles.has(basename(a))),
  );
}

/** Removes each planned directory under `<datadir>/repos` and records the purge (BuildPurged). */
export async function purgeBuilds(
  commands: DeciderCommandHandler,
  datadir: string,
  steps: readonly PurgeStep[],
  context: EventContext,
): Promise<void> {
  const reposDir = join(datadir, 'repos');
  for (const { row, removeDirectory } of steps) {
    const dir = resolve(reposDir, row.repoDir);
    if (relative(reposDir, dir).startsWith('..')) throw new Error(`refusing to remove ${dir}: outside ${reposDir}`);
    if (removeDirectory) await rm(dir, { recursive: true, force: true });
    await commands.handle(
      row.streamId,
      buildDecider,
      { type: 'PurgeBuild', directoryRemoved: removeDirectory },
      context,
    );
  }
}
