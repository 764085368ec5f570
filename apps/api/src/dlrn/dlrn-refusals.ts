import { RemoteImportError } from '#domain/build/remote-import.error.js';
import { InvalidPromotionNameError } from '#domain/promotion/promotion.decider.js';
import { PromotionRefusedError, type PromotionRefusal } from '#application/promotions/promotion.errors.js';
import { RecheckRefusedError } from '#application/recheck/recheck-package.handler.js';
import { VoteRefusedError } from '#application/votes/vote.errors.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';

const PROMOTION_STATUS: Record<Exclude<PromotionRefusal, 'PROMOTION_NOT_RECORDED'>, number> = {
  PROMOTION_COMMIT_NOT_FOUND: 400,
  PROMOTION_PURGED: 410,
  PROMOTION_NAME_TAKEN: 403,
  PROMOTION_LINK_IMPOSSIBLE: 500,
  PROMOTION_LINK_LAGGING: 500,
};

/**
 * DLRN's answer to a use case's refusal: its status, the use case's message. Anything else is
 * left to the exception filter (storage failures, the unexpected).
 */
export function dlrnAnswerTo(error: unknown): unknown {
  if (error instanceof VoteRefusedError) return new DlrnHttpError(400, error.message);
  if (error instanceof RecheckRefusedError) {
    return new DlrnHttpError(error.code === 'RECHECK_OF_SUCCESS' ? 409 : 400, error.message);
  }
  if (error instanceof InvalidPromotionNameError) return new DlrnHttpError(403, error.message);
  if (error instanceof PromotionRefusedError) {
    if (error.code === 'PROMOTION_NOT_RECORDED') {
      // As every write the store refuses: 507 when out of space, 503 otherwise.
      return new DlrnHttpError(error.details['full'] === true ? 507 : 503, error.message, { 'retry-after': '60' });
    }
    return new DlrnHttpError(PROMOTION_STATUS[error.code], error.message);
  }
  if (error instanceof RemoteImportError) {
    // DLRN's: 400 for a URL or host refused, 500 `Remote import failed with error: …`; 503 busy.
    if (error.code === 'REMOTE_URL_INVALID' || error.code === 'REMOTE_HOST_REFUSED') {
      return new DlrnHttpError(400, error.message);
    }
    const status = error.code === 'REMOTE_IMPORT_BUSY' ? 503 : 500;
    return new DlrnHttpError(status, `Remote import failed with error: ${error.message}`);
  }
  return error;
}

/** Runs a use case and answers its refusals as DLRN does. */
export async function answering<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw dlrnAnswerTo(error);
  }
}
