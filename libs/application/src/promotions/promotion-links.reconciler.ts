import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promotionNameProblem } from '#domain/promotion/promotion-name.js';
import { promotionLinkOf, type PromotionLink } from '#domain/promotion/promotion-link.js';
import type { PromotionEvent } from '#domain/promotion/promotion.events.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { FsRepoPublisher } from '#infrastructure/repo/fs-repo.publisher.js';

const PROMOTION_EVENT_TYPES: readonly PromotionEvent['type'][] = ['RepoPromoted', 'PromotionRolledBack'];
/** How many times a link is moved again because the log moved on while it was being moved. */
const MAX_FOLLOW_ROUNDS = 20;
const PAGE = 10_000;
/** The publisher's per-move temporary link (`FsRepoPublisher.movePointer`). */
const TEMPORARY_LINK = /^\.dlrn-link\.[0-9a-f]{16}\.tmp$/;

export interface ReconcileReport {
  /** Promotion names (streams) the log knows. */
  readonly names: number;
  /** Links moved or removed because they disagreed with the log. */
  readonly fixed: number;
  /** Links that could not be brought back (logged; the next run tries again). */
  readonly failed: readonly { readonly streamId: string; readonly error: unknown }[];
}

/**
 * Brings promotion links on disk back to what the log says: the newest promotion event of each
 * name's stream decides where `<repos>/<name>` points (or that it does not exist). Only
 * promotion links: `current` and `consistent` are the builder's, and names DLRN reserves are
 * never touched even if an imported history holds them.
 *
 * Every process that appends a promotion calls `follow` after its append, so the last link move
 * in time is always followed by a read that finds nothing newer in the log: two replicas
 * promoting one name end with the link where the log last put it, whichever moved last.
 */
export class PromotionLinksReconciler {
  constructor(
    private readonly store: EventStore,
    private readonly reposDir: string,
    private readonly useComponents: boolean,
    private readonly links: FsRepoPublisher = new FsRepoPublisher(),
  ) {}

  /** Every promotion link, from the log (at start-up). Failures are reported, not thrown. */
  async reconcileAll(): Promise<ReconcileReport> {
    const latest = new Map<string, RecordedEvent>();
    for (let after = 0; ;) {
      const page = await this.store.readAll({
        after,
        maxCount: PAGE,
        filter: { streamPrefixes: ['promotion-'], eventTypes: PROMOTION_EVENT_TYPES },
      });
      for (const event of page) latest.set(event.streamId, event);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.position;
    }
    let fixed = 0;
    const failed: { streamId: string; error: unknown }[] = [];
    for (const [streamId, event] of latest) {
      try {
        // Links that agree cost one readlink; only the others read their stream again.
        if (await this.agrees(this.linkOf(event))) continue;
        await this.follow(streamId);
        fixed += 1;
      } catch (error) {
        failed.push({ streamId, error });
      }
    }
    const dirs = new Set([
      this.reposDir,
      ...[...latest.values()].map((event) => join(this.reposDir, this.linkOf(event).dir)),
    ]);
    for (const dir of dirs) await this.sweepTemporaryLinks(dir);
    return { names: latest.size, fixed, failed };
  }

  /**
   * Temporary links of moves cut short by a crash (made, never renamed). Only those a minute old:
   * a replica may be between making one and renaming it right now.
   */
  private async sweepTemporaryLinks(dir: string): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const before = Date.now() - 60_000;
    for (const name of names) {
      if (!TEMPORARY_LINK.test(name)) continue;
      const path = join(dir, name);
      const info = await lstat(path).catch(() => null);
      if (info?.isSymbolicLink() && info.mtimeMs < before) await rm(path, { force: true });
    }
  }

  /**
   * Moves one name's link to the stream's newest event, then reads the stream again and moves
   * again until the log holds nothing newer than what the link shows. Returns the link as left.
   */
  async follow(streamId: string): Promise<PromotionLink | null> {
    let last: RecordedEvent | undefined = await this.newest(streamId);
    for (let round = 0; round < MAX_FOLLOW_ROUNDS; round++) {
      if (last === undefined) return null;
      const link = this.linkOf(last);
      await this.apply(link);
      const again = await this.newest(streamId);
      if (again?.revision === last.revision) return link;
      last = again;
    }
    throw new Error(`promotion ${streamId}: the log kept moving while its link was moved`);
  }

  private async newest(streamId: string): Promise<RecordedEvent | undefined> {
    const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last;
  }

  private linkOf(event: RecordedEvent): PromotionLink {
    // The store hands events over upcast; a promotion stream holds only promotion events.
    return promotionLinkOf(event as unknown as PromotionEvent, this.useComponents);
  }

  private async agrees(link: PromotionLink): Promise<boolean> {
    if (promotionNameProblem(link.name) !== null) return true;
    const dir = join(this.reposDir, link.dir);
    const slot = await this.links.pointerSlot(dir, link.name);
    if (link.target === null) return slot !== 'link';
    return slot === 'link' && (await this.links.readPointer(dir, link.name).catch(() => null)) === link.target;
  }

  private async apply(link: PromotionLink): Promise<void> {
    if (promotionNameProblem(link.name) !== null) return;
    const dir = join(this.reposDir, link.dir);
    if (link.target === null) await this.links.removePointer(dir, link.name);
    else if ((await this.links.readPointer(dir, link.name).catch(() => null)) !== link.target) {
      await this.links.movePointer(dir, link.name, link.target);
    }
  }
}
