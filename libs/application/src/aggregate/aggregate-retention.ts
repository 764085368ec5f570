import { readdir, readlink } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { AggregateRepoPublished } from '#domain/repo/repo.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';

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
