import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CommitLog, type CommitDescription } from '#domain/bisection/commit-log.port.js';
import { FirstParentRangeError, GitRepositories, type FirstParentRange } from '#domain/package/git.ports.js';
import {
  buildsProjection,
  packageStatusProjection,
  ReadModelStore,
  type PackageBisection,
} from '#domain/projections/index.js';
import { DLRN_CONFIG } from '#infrastructure/nest/tokens.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import { buildsByCommit, knownEnds, verdictOf, type RangeCommit } from './bisect-history.js';

/** A range longer than this is refused: the answer lists every commit with its builds. */
export const MAX_RANGE = 5000;
/** Dist-git commits listed between the two ends at most (the newest ones). */
const MAX_DISTGIT = 500;

export interface BisectHistory {
  readonly package: string;
  readonly upstreamUrl: string | null;
  /** The good end, then every first-parent commit after it up to the bad end, oldest first. */
  readonly line: readonly RangeCommit[];
  /** Hashes, or null when no commit of the line was built so. */
  readonly lastKnownGood: string | null;
  readonly firstKnownBad: string | null;
  /** Commits between the last known good and the first known bad that were never built. */
  readonly unbuiltBetween: number;
  /** Dist-git commits between the last known good's build and the first known bad's. */
  readonly distgit: {
    readonly from: string | null;
    readonly to: string | null;
    readonly commits: readonly CommitDescription[];
  };
  /** The package's current bisection as the status view has it (any range), or null. */
  readonly bisection: PackageBisection | null;
}

export type BisectHistoryRefusal =
  | { readonly refusal: 'unknown_package'; readonly message: string }
  | { readonly refusal: 'no_clone'; readonly message: string }
  | { readonly refusal: 'too_long'; readonly message: string }
  | { readonly refusal: FirstParentRangeError['reason']; readonly message: string };

/**
 * `GET /api/bisect?package=&good=&bad=`: what the history says of the first-parent commits
 * between good and bad (from the package's upstream clone in the datadir), with no build.
 */
export class BisectHistoryQuery extends Query<BisectHistory | BisectHistoryRefusal> {
  constructor(
    readonly pkg: string,
    readonly good: string,
    readonly bad: string,
  ) {
    super();
  }
}

@QueryHandler(BisectHistoryQuery)
export class BisectHistoryHandler implements IQueryHandler<BisectHistoryQuery, BisectHistory | BisectHistoryRefusal> {
  constructor(
    @Inject(ReadModelStore) private readonly store: ReadModelStore,
    @Inject(GitRepositories) private readonly git: GitRepositories,
    @Inject(CommitLog) private readonly log: CommitLog,
    @Inject(DLRN_CONFIG) private readonly config: DlrnConfig,
  ) {}

  async execute({ pkg, good, bad }: BisectHistoryQuery): Promise<BisectHistory | BisectHistoryRefusal> {
    const status = (await this.store.get(packageStatusProjection, pkg))?.doc ?? null;
    if (status === null) return { refusal: 'unknown_package', message: `No such package ${pkg}` };
    const { datadir } = this.config.default;
    // `<datadir>/<package>`: a package name never holds a path separator (it is a stored package).
    const clone = join(datadir, pkg);
    if (pkg.includes('/') || !(await isDirectory(clone))) {
      return { refusal: 'no_clone', message: `No upstream clone of ${pkg} in the datadir` };
    }
    let range: FirstParentRange;
    try {
      range = await this.git.firstParentRange(clone, good, bad);
    } catch (error) {
      if (error instanceof FirstParentRangeError) return { refusal: error.reason, message: error.message };
      throw error;
    }
    if (range.commits.length > MAX_RANGE) {
      return {
        refusal: 'too_long',
        message: `${range.commits.length} commits between ${range.good.hash} and ${range.bad.hash}: at most ${MAX_RANGE}`,
      };
    }
    const [docs, described] = await Promise.all([
      this.store.find(buildsProjection, { where: { package: pkg } }),
      this.log.firstParentLog(clone, range.good.hash, range.bad.hash, MAX_RANGE),
    ]);
    const builds = buildsByCommit(docs.map((d) => d.doc));
    const descriptions = new Map(described.map((d) => [d.hash, d]));
    const line: RangeCommit[] = [range.good, ...range.commits].map((commit) => {
      const attempts = builds.get(commit.hash) ?? [];
      const description = descriptions.get(commit.hash);
      return {
        hash: commit.hash,
        committedAt: commit.committedAt,
        description: description
          ? { subject: description.subject, authorName: description.authorName, authorEmail: description.authorEmail }
          : null,
        builds: attempts,
        verdict: verdictOf(attempts),
      };
    });
    const ends = knownEnds(line);
    const goodCommit = ends.lastKnownGood === null ? null : line[ends.lastKnownGood]!;
    const badCommit = ends.firstKnownBad === null ? null : line[ends.firstKnownBad]!;
    const from = goodCommit ? distroOf(goodCommit, 'SUCCESS') : null;
    const to = badCommit ? distroOf(badCommit, 'FAILED') : null;
    const distgit =
      from !== null && to !== null && from !== to
        ? await this.log.firstParentLog(join(datadir, `${pkg}_distro`), from, to, MAX_DISTGIT)
        : [];
    const start = ends.lastKnownGood ?? 0;
    const end = ends.firstKnownBad ?? line.length;
    return {
      package: pkg,
      upstreamUrl: docs.find((d) => d.doc.upstreamUrl)?.doc.upstreamUrl ?? null,
      line,
      lastKnownGood: goodCommit?.hash ?? null,
      firstKnownBad: badCommit?.hash ?? null,
      unbuiltBetween: line.slice(start + 1, end).filter((c) => c.verdict === 'unbuilt').length,
      distgit: { from, to, commits: distgit },
      bisection: status.bisection ?? null,
    };
  }
}

/** The dist-git commit of the newest attempt of `commit` with this result. */
function distroOf(commit: RangeCommit, status: 'SUCCESS' | 'FAILED'): string | null {
  const attempt = [...commit.builds].reverse().find((b) => !b.rechecked && b.status === status);
  return attempt?.distroHash ?? null;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
