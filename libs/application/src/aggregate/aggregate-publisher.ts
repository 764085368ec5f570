import { join } from 'node:path';
import {
  AGGREGATE_DECIDER_TAIL,
  aggregateComponents,
  aggregateDecider,
  aggregateDirOf,
  concatAggregate,
  type AggregatePart,
  type AggregateTexts,
  type PublishAggregate,
} from '#domain/repo/aggregate-repo.js';
import { aggregateStreamId } from '#domain/repo/repo.events.js';
import type { EventContext } from '#domain/shared/event.js';
import type { DeciderCommandHandler } from '#infrastructure/event-store/decider-command-handler.js';
import { withCloneLock } from '#infrastructure/git/clone-lock.js';
import { AggregateRepoFiles } from '#infrastructure/repo/aggregate-repo.files.js';

export interface ComputedAggregate {
  readonly aggregateHash: string;
  readonly texts: AggregateTexts;
}

/**
 * The aggregated repository of a name with components on (DLRN `aggregate_repo_files`, §1.11):
 * computed from the components' `<name>` links (or, for a promotion being recorded, the
 * repositories it is about to point at), recorded as AggregateRepoPublished when its hash
 * changed, then written. One name at a time per datadir (an flock beside `repos/<name>`).
 */
export class AggregatePublisher {
  readonly files: AggregateRepoFiles;

  constructor(
    private readonly commands: DeciderCommandHandler,
    private readonly reposDir: string,
    reponame: string,
    /** The components to aggregate, in DLRN's order (`aggregateComponents`). */
    private readonly components: () => Promise<readonly string[]>,
  ) {
    this.files = new AggregateRepoFiles(reposDir, reponame);
  }

  /** `overrides`: component → repository the name will point at (a promotion not yet linked). */
  async compute(name: string, overrides: ReadonlyMap<string, string> = new Map()): Promise<ComputedAggregate> {
    const parts: AggregatePart[] = [];
    for (const component of await this.components()) {
      const repoDir = overrides.get(component) ?? (await this.files.componentPointer(component, name));
      if (repoDir !== null) parts.push(await this.files.readPart(component, repoDir));
    }
    const texts = concatAggregate(parts);
    return { aggregateHash: AggregateRepoFiles.md5(texts.repoText), texts };
  }

  /**
   * Recomputes, records (if changed) and writes the aggregate of `name`; returns its hash, or
   * null when no component has a `.repo` under that name yet (nothing to aggregate).
   */
  async publish(
    name: string,
    context: EventContext,
    overrides: ReadonlyMap<string, string> = new Map(),
  ): Promise<string | null> {
    return withCloneLock(join(this.reposDir, `${name}.aggregate`), async () => {
      const { aggregateHash, texts } = await this.compute(name, overrides);
      if (texts.members.length === 0) return null;
      const command: PublishAggregate = {
        type: 'PublishAggregate',
        data: { name, aggregateHash, aggregateDir: aggregateDirOf(name, aggregateHash), components: texts.members },
      };
      await this.commands.handle(aggregateStreamId(name), aggregateDecider, command, context, {
        tail: AGGREGATE_DECIDER_TAIL,
      });
      await this.files.write(name, aggregateHash, texts);
      return aggregateHash;
    });
  }
}

/**
 * The publisher of a datadir when `use_components` is on (null otherwise). With a package list
 * (the builder) the components are DLRN's: on disk (built) and in the list; without one (the
 * API, which does not load package metadata) those on disk.
 */
export function aggregatePublisherFor(options: {
  readonly commands: DeciderCommandHandler;
  readonly datadir: string;
  readonly useComponents: boolean;
  readonly reponame: string | null;
  /** Asked at each aggregation (a pass's package source answers anew); null: none loaded. */
  readonly packageComponents: (() => readonly (string | null)[]) | null;
}): AggregatePublisher | null {
  if (!options.useComponents) return null;
  const reposDir = join(options.datadir, 'repos');
  const files = new AggregateRepoFiles(reposDir, options.reponame ?? 'delorean');
  return new AggregatePublisher(options.commands, reposDir, options.reponame ?? 'delorean', async () =>
    aggregateComponents(await files.componentsOnDisk(), options.packageComponents?.() ?? null),
  );
}
