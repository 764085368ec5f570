import type { BuildDoc, CiVoteAggDoc, CiVoteDoc, PromotionDoc } from '#domain/projections/index.js';
import { repoHash } from '#domain/repo/repo-path.js';
import type { VoteFields } from '#domain/projections/vote-row.js';

/** DLRN's JSON shapes (§6.1 "Response shapes"), from the projections' documents. */

export interface VoteAnswer {
  commit_hash: string;
  distro_hash: string;
  extended_hash: string | null;
  timestamp: number;
  job_id: string;
  success: boolean;
  in_progress: boolean;
  user: string | null;
  component: string | null;
}

export function voteAnswer(vote: CiVoteDoc): VoteAnswer {
  return {
    commit_hash: vote.commitHash,
    distro_hash: vote.distroHash,
    extended_hash: vote.extendedHash,
    timestamp: vote.timestamp,
    job_id: vote.ciName,
    success: vote.ciVote,
    in_progress: vote.ciInProgress,
    user: vote.user,
    component: vote.component,
  };
}

/** The job's side of a status item, shared by repository and aggregate votes (keys in DLRN's order). */
function jobResult(vote: VoteFields) {
  return {
    job_id: vote.ciName,
    success: vote.ciVote,
    in_progress: vote.ciInProgress,
    url: vote.ciUrl,
    notes: vote.notes,
    user: vote.user,
  };
}

export function repoStatusItem(vote: CiVoteDoc, commitHash: string, distroHash: string, commit: BuildDoc) {
  return {
    timestamp: vote.timestamp,
    commit_hash: commitHash,
    distro_hash: distroHash,
    extended_hash: commit.extendedHash,
    ...jobResult(vote),
    component: vote.component,
  };
}

export function aggStatusItem(vote: CiVoteAggDoc) {
  return { timestamp: vote.timestamp, aggregate_hash: vote.refHash, ...jobResult(vote) };
}

export interface PromotionAnswer {
  timestamp: number;
  commit_hash: string;
  distro_hash: string;
  extended_hash: string | null;
  aggregate_hash: string | null;
  repo_hash: string;
  repo_url: string;
  promote_name: string;
  component: string | null;
  user: string | null;
}

export function promotionAnswer(promotion: PromotionDoc, baseurl: string): PromotionAnswer {
  return {
    timestamp: promotion.timestamp,
    commit_hash: promotion.commitHash,
    distro_hash: promotion.distroHash,
    extended_hash: promotion.extendedHash,
    aggregate_hash: promotion.aggregateHash,
    repo_hash: repoHash(promotion),
    repo_url: `${baseurl.replace(/\/+$/, '')}/${promotion.repoDir}`,
    promote_name: promotion.promotionName,
    component: promotion.component,
    user: promotion.user,
  };
}
