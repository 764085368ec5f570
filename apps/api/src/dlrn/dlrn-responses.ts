import type { BuildDoc, CiVoteAggDoc, CiVoteDoc, PromotionDoc } from '#domain/projections/index.js';
import { repoHash } from '#domain/repo/repo-path.js';

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

export function repoStatusItem(vote: CiVoteDoc, commitHash: string, distroHash: string, commit: BuildDoc) {
  return {
    timestamp: vote.timestamp,
    commit_hash: commitHash,
    distro_hash: distroHash,
    extended_hash: commit.extendedHash,
    job_id: vote.ciName,
    success: vote.ciVote,
    in_progress: vote.ciInProgress,
    url: vote.ciUrl,
    notes: vote.notes,
    user: vote.user,
    component: vote.component,
  };
}

export function aggStatusItem(vote: CiVoteAggDoc) {
  return {
    timestamp: vote.timestamp,
    aggregate_hash: vote.refHash,
    job_id: vote.ciName,
    success: vote.ciVote,
    in_progress: vote.ciInProgress,
    url: vote.ciUrl,
    notes: vote.notes,
    user: vote.user,
  };
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
