import { DomainError, StorageError } from '#domain/shared/errors.js';

export type PromotionRefusal =
  /** No successful build of these hashes. */
  | 'PROMOTION_COMMIT_NOT_FOUND'
  /** The build's repository was purged. */
  | 'PROMOTION_PURGED'
  /** A file or directory of the repos directory holds the name (a single promotion). */
  | 'PROMOTION_NAME_TAKEN'
  /** The link could not be made: nothing was recorded. */
  | 'PROMOTION_LINK_IMPOSSIBLE'
  /** The log refused the append: nothing was recorded (`details.full`: out of space). */
  | 'PROMOTION_NOT_RECORDED'
  /** Recorded, but a link did not follow the log yet (it is retried). */
  | 'PROMOTION_LINK_LAGGING';

/** DLRN's "rolled back" sentence, kept for a batch of which nothing was recorded. */
export const ROLLED_BACK = 'All previously created symlinks have been rolled back.';

/** Why a promotion or batch was refused or is incomplete; the message is DLRN's answer. */
export class PromotionRefusedError extends DomainError {
  constructor(
    override readonly code: PromotionRefusal,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, message, details);
  }

  /** The log refused the append; atomic, so nothing of the batch is recorded. */
  static notRecorded(error: unknown, batchFirstName: string | null): PromotionRefusedError {
    // As every write the store refuses: out of space or not; no internals.
    const full = error instanceof StorageError && error.failure === 'full';
    const why =
      error instanceof StorageError
        ? error.message.replace(/; nothing was recorded$/, '')
        : 'the event store refused the write';
    return new PromotionRefusedError(
      'PROMOTION_NOT_RECORDED',
      batchFirstName === null
        ? `Promotion not recorded: ${why}. No link was moved.`
        : `Promotion of ${batchFirstName} not recorded: ${why}. ${ROLLED_BACK}`,
      { full },
    );
  }
}
