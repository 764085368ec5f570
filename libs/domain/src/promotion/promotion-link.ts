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
 * commit that has a component keeps the prefix in the target. `placedBy` is the repository that
 * decides the folder (for a rollback: the undone promotion's), `target` where the link points.
 */
export function placePromotionLink(
  promotion: { readonly name: string; readonly component: string | null; readonly placedBy: string },
  target: string | null,
  useComponents: boolean,
): PromotionLink {
  const prefix = promotion.component ? `component/${promotion.component}/` : '';
  // Stryker disable next-line StringLiteral: equivalent: the `prefix !== ''` guard is redundant (every path starts with '', and slicing '' off changes nothing)
  const inComponent = useComponents && prefix !== '' && promotion.placedBy.startsWith(prefix);
  return {
    dir: inComponent ? prefix.slice(0, -1) : '',
    name: promotion.name,
    target: target !== null && inComponent && target.startsWith(prefix) ? target.slice(prefix.length) : target,
  };
}

/** The link an event of a promotion stream asks for. */
export function promotionLinkOf(event: PromotionEvent, useComponents: boolean): PromotionLink {
  const placedBy = event.type === 'RepoPromoted' ? event.data.repoDir : event.data.rolledBackRepoDir;
  return placePromotionLink(
    { name: event.data.promotionName, component: event.data.component, placedBy },
    event.data.repoDir,
    useComponents,
  );
}
