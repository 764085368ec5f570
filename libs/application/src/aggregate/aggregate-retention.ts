import { readdir, readlink, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { concatAggregate } from '#domain/repo/aggregate-repo.js';
import type { AggregateRepoPublished } from '#domain/repo/repo.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import { AggregateRepoFiles } from '#infrastructure/repo/aggregate-repo.files.js';
import { resolveInside } from '#infrastructure/repo/repo-path.guard.js';

const PAGE = 1000;

/**
 * Repositories (relative to `<datadir>/repos`) that purge must keep with components on: the
 * components' `current`/`consistent` links, and every member of each name's last aggregate
 * (`current`, `consistent`, promotion names), which `repos/<name>/<reponame>.repo` points into.
 */
export async function repoDirsKeptByAggregates(store: EventStore, reposDir: string): Promise<Set<string>> {
  const lastByName = new Map<string, AggregateRepoPublished['data']>();
  for (let after = 0; ;) {
    const page = await store.readAll({ after, maxCount: PAGE, filter: { eventTypes: ['AggregateRepoPublished'] } });
    for (const event of page) {
      const data = event.data as AggregateRepoPublished['data'];
      lastByName.set(data.name, data);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const kept = new Set<string>();
  for (const data of lastByName.values()) for (const member of data.components) kept.add(member.repoDir);
  const root = resolve(reposDir);
  const components = await readdir(join(root, 'component'), { withFileTypes: true }).catch(() => []);
  for (const entry of components) {
    if (!entry.isDirectory()) continue;
    for (const name of ['current', 'consistent']) {
      const link = join(root, 'component', entry.name, name);
      const target = await readlink(link).catch(() => null);
      if (target === null) continue;
      const rel = relative(root, resolve(join(root, 'component', entry.name), target));
      if (!rel.startsWith('..')) kept.add(rel.split(sep).join('/'));
    }
  }
  return kept;
}

/**
 * DLRN's `purge_promoted_hashes`: the aggregate directories (`<name>/<h[0:2]>/<h[2:4]>/<h>`,
 * relative to `repos`) last published before `cutoff` (epoch seconds), except each name's last
 * aggregate and the one its `<reponame>.repo` link points at. DLRN reads the directories' mtime;
 * the log says when each was last published.
 */
export async function planAggregatePurge(
  store: EventStore,
  reposDir: string,
  reponame: string,
  cutoff: number,
): Promise<string[]> {
  const lastPublished = new Map<string, number>();
  const lastOfName = new Map<string, string>();
  for (let after = 0; ;) {
    const page = await store.readAll({ after, maxCount: PAGE, filter: { eventTypes: ['AggregateRepoPublished'] } });
    for (const event of page) {
      const data = event.data as AggregateRepoPublished['data'];
      lastPublished.set(data.aggregateDir, Date.parse(event.metadata.occurredAt) / 1000);
      lastOfName.set(data.name, data.aggregateDir);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const files = new AggregateRepoFiles(reposDir, reponame);
  const kept = new Set(lastOfName.values());
  for (const name of lastOfName.keys()) {
    const linked = await files.currentAggregateDir(name).catch(() => null);
    if (linked !== null) kept.add(linked);
  }
  const removable: string[] = [];
  for (const [dir, at] of lastPublished) {
    if (at >= cutoff || kept.has(dir)) continue;
    const found = await stat(resolveInside(resolve(reposDir), resolve(reposDir), dir, 'aggregate dir')).catch(
      () => null,
    );
    if (found?.isDirectory()) removable.push(dir);
  }
  return removable.sort();
}

/** Removes planned aggregate directories (each checked to stay inside `repos`). */
export async function removeAggregateDirs(reposDir: string, dirs: readonly string[]): Promise<void> {
  const root = resolve(reposDir);
  for (const dir of dirs) await rm(resolveInside(root, root, dir, 'aggregate dir'), { recursive: true, force: true });
}

/**
 * Brings each name's aggregate files back to its last AggregateRepoPublished (a crash between
 * the append and the files, files removed by hand): rebuilt from the recorded members'
 * repositories when `<name>/<reponame>.repo` does not point at the recorded directory. A
 * rebuild whose MD5 differs from the recorded hash (a member's `.repo` changed on disk) is
 * not written. Returns the names restored and those left as they are.
 */
export async function restoreAggregateFiles(
  store: EventStore,
  reposDir: string,
  reponame: string,
): Promise<{ restored: string[]; mismatched: string[] }> {
  const lastOfName = new Map<string, AggregateRepoPublished['data']>();
  for (let after = 0; ;) {
    const page = await store.readAll({ after, maxCount: PAGE, filter: { eventTypes: ['AggregateRepoPublished'] } });
    for (const event of page) {
      const data = event.data as AggregateRepoPublished['data'];
      lastOfName.set(data.name, data);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.position;
  }
  const files = new AggregateRepoFiles(reposDir, reponame);
  const restored: string[] = [];
  const mismatched: string[] = [];
  for (const [name, data] of lastOfName) {
    if ((await files.currentAggregateDir(name).catch(() => null)) === data.aggregateDir) continue;
    const parts = await Promise.all(data.components.map((m) => files.readPart(m.component, m.repoDir)));
    const texts = concatAggregate(parts);
    if (AggregateRepoFiles.md5(texts.repoText) !== data.aggregateHash) {
      mismatched.push(name);
      continue;
    }
    await files.write(name, data.aggregateHash, texts);
    restored.push(name);
  }
  return { restored, mismatched };
}
