/** A commit as a person reads it: what the bisect history shows between two ends. */
export interface CommitDescription {
  readonly hash: string;
  readonly subject: string;
  readonly authorName: string;
  readonly authorEmail: string;
  /** Committer time, epoch seconds. */
  readonly committedAt: number;
}

/** The commits of a clone as a log (`git log`), for the read side of bisection. */
export abstract class CommitLog {
  /**
   * First-parent commits after `from` up to and including `to`, oldest first, at most `max`
   * (the newest ones when there are more). `from` and `to` are full hashes; an unknown one
   * gives an empty list, never an error: the history answers from what it has.
   */
  abstract firstParentLog(dir: string, from: string, to: string, max: number): Promise<CommitDescription[]>;
}
