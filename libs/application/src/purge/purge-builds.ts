import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { buildDecider } from '#domain/build/build.decider.js';
import { leftoverDirectories, purgePlan, type PurgeStep } from '#domain/build/purge-plan.js';
import type { BuildPurged } from '#domain/build/build.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { EventContext } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { BuildHistoryReader } from '../build-pass/build-history.reader.js';
import { repoDirsKeptByAggregates } from '../aggregate/aggregate-retention.js';

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
  // Components on: `current`/`consistent` are per component, and the top-level names aggregate them.
  for (const repoDir of await repoDirsKeptByAggregates(store, reposDir)) {
    pointed.add(repoDir);
    const dir = resolve(reposDir, repoDir);
    if (existsSync(dir)) for (const file of readdirSync(dir)) protectedFiles.add(file);
  }
  const history = await new BuildHistoryReader(store).catchUp();
  return purgePlan(
    history.allRows(),
    request.cutoff,
    (row) => pointed.has(row.repoDir) || row.artifacts.some((a) => protectedFiles.has(basename(a))),
  );
}

/**
 * Records each purge (BuildPurged), then removes the planned directory under `<datadir>/repos`:
 * the log first, so a crash in between leaves a directory the log calls removed, which the next
 * `sweepLeftoverDirectories` takes away, never a removed directory the log calls present.
 */
export async function purgeBuilds(
  commands: DeciderCommandHandler,
  datadir: string,
  steps: readonly PurgeStep[],
  context: EventContext,
): Promise<void> {
  for (const { row, removeDirectory } of steps) {
    const dir = insideRepos(datadir, row.repoDir);
    await commands.handle(
      row.streamId,
      buildDecider,
      { type: 'PurgeBuild', directoryRemoved: removeDirectory },
      context,
    );
    if (removeDirectory) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes the directories an earlier purge recorded as removed but left on disk (it stopped
 * between its record and the removal), unless a later build of the same commit uses them again.
 * Returns the directories removed, relative to `<datadir>/repos`.
 */
export async function sweepLeftoverDirectories(store: EventStore, datadir: string): Promise<string[]> {
  const removed = new Set<string>();
  for (let after = 0; ;) {
    const page = await store.readAll({ after, maxCount: 1000, filter: { eventTypes: ['BuildPurged'] } });
    if (page.length === 0) break;
    for (const event of page) {
      const data = event.data as BuildPurged['data'];
      if (data.directoryRemoved) removed.add(data.repoDir);
    }
    after = page[page.length - 1]!.position;
  }
  if (removed.size === 0) return [];
  const history = await new BuildHistoryReader(store).catchUp();
  const swept: string[] = [];
  for (const repoDir of leftoverDirectories(history.allRows(), removed)) {
    const dir = insideRepos(datadir, repoDir);
    if (!existsSync(dir)) continue;
    await rm(dir, { recursive: true, force: true });
    swept.push(repoDir);
  }
  return swept;
}

function insideRepos(datadir: string, repoDir: string): string {
  const reposDir = join(datadir, 'repos');
  const dir = resolve(reposDir, repoDir);
  const rel = relative(reposDir, dir);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new Error(`refusing to remove ${dir}: outside ${reposDir}`);
  return dir;
}
