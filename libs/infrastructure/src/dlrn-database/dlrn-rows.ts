/*
 * Rows of a DLRN database (`dlrn/db.py`, dlrn.md §5) as the reader hands them over: every column
 * present, null where the row holds NULL or the database predates the column.
 */

export interface DlrnCommitRow {
  readonly id: number;
  readonly type: string | null;
  readonly dt_commit: number | null;
  readonly dt_distro: number | null;
  readonly dt_extended: number | null;
  readonly dt_build: number | null;
  readonly project_name: string;
  readonly commit_hash: string;
  readonly distro_hash: string;
  readonly extended_hash: string | null;
  readonly commit_branch: string | null;
  readonly status: string;
  readonly component: string | null;
  /** `artifacts`, or the older `rpms` column it replaced. */
  readonly artifacts: string | null;
  readonly notes: string | null;
  readonly flags: number | null;
  readonly versions_csv: string | null;
}

/** The voted or promoted commit (`commit_id` joined); null when the row points nowhere. */
export interface DlrnJoinedCommit {
  readonly project_name: string;
  readonly commit_hash: string;
  readonly distro_hash: string;
  readonly extended_hash: string | null;
  readonly component: string | null;
}

interface DlrnVoteColumns {
  readonly id: number;
  readonly ci_name: string;
  readonly ci_url: string | null;
  readonly ci_vote: number | null;
  readonly ci_in_progress: number | null;
  readonly timestamp: number | null;
  readonly notes: string | null;
  readonly user: string | null;
}

export interface DlrnCiVoteRow extends DlrnVoteColumns {
  readonly commit_id: number;
  readonly component: string | null;
  readonly commit: DlrnJoinedCommit | null;
}

export interface DlrnAggregateVoteRow extends DlrnVoteColumns {
  readonly ref_hash: string;
}

export interface DlrnPromotionRow {
  readonly id: number;
  readonly commit_id: number;
  readonly promotion_name: string;
  readonly timestamp: number | null;
  readonly user: string | null;
  readonly component: string | null;
  readonly aggregate_hash: string | null;
  readonly commit: DlrnJoinedCommit | null;
}

export interface DlrnUserRow {
  readonly username: string;
  readonly password: string;
}

export interface DlrnProjectRow {
  readonly id: number;
  readonly project_name: string;
  readonly last_email: number | null;
}

/** One row of the database, tagged with its table: what the import reads, in its order. */
export type DlrnRow =
  | { readonly table: 'users'; readonly row: DlrnUserRow }
  | { readonly table: 'commits'; readonly row: DlrnCommitRow }
  | { readonly table: 'projects'; readonly row: DlrnProjectRow }
  | { readonly table: 'civotes'; readonly row: DlrnCiVoteRow }
  | { readonly table: 'civotes_agg'; readonly row: DlrnAggregateVoteRow }
  | { readonly table: 'promotions'; readonly row: DlrnPromotionRow };

export type DlrnTable = DlrnRow['table'];

/** Tables in the order the import reports them. */
export const DLRN_TABLES: readonly DlrnTable[] = [
  'commits',
  'civotes',
  'civotes_agg',
  'promotions',
  'users',
  'projects',
];
