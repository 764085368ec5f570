import type { PromotionEvent } from './promotion.events.js';

/** Where a promotion's link lives and what it points at, relative to the repos directory. */
export interface PromotionLink {
  /** Folder of the link: `''` (the repos directory) or `component/<c>` with components on. */
  readonly dir: string;
  readonly name: string;
  /** Link target relative to `dir`; null when the log says the name has no link. */
  readonly target: string | null;
}

/**
 * DLRN §6.3 step 4: the link is `<repos>/<name>`, or `<repos>/component/<c>/<name>` with
 * components on, whose target then loses its `component/<c>/` prefix. With components off a
 * commit that has a component keeps the prefix in the target. A rollback lives where the undone
 * promotion's link lived.
 */
export function promotionLinkOf(event: PromotionEvent, useComponents: boolean): PromotionLink {
  const placedBy = event.type === 'RepoPromoted' ? event.data.repoDir : event.data.rolledBackRepoDir;
  const prefix = event.data.component ? `component/${event.data.component}/` : '';
  const inComponent = useComponents && prefix !== '' && placedBy.startsWith(prefix);
  const target = event.data.repoDir;
  return {
    dir: inComponent ? prefix.slice(0, -1) : '',
    name: event.data.promotionName,
    target: target !== null && inComponent && target.startsWith(prefix) ? target.slice(prefix.length) : target,
  };
}
