import { describe, expect, it } from 'vitest';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import { InvalidPromotionNameError } from '#domain/promotion/promotion.decider.js';
import { StorageError } from '#domain/shared/errors.js';
import { PromotionRefusedError } from '#application/promotions/promotion.errors.js';
import { RecheckRefusedError } from '#application/recheck/recheck-package.handler.js';
import { VoteRefusedError } from '#application/votes/vote.errors.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { dlrnAnswerTo } from './dlrn-refusals.js';

const answer = (error: unknown) => {
  const mapped = dlrnAnswerTo(error);
  return mapped instanceof DlrnHttpError ? [mapped.status, mapped.message, mapped.headers] : mapped;
};

describe("DLRN's answers to the use cases' refusals", () => {
  it('answers a vote on nothing known 400', () => {
    expect(answer(new VoteRefusedError('NO_VOTE_FOUND'))).toEqual([400, 'No vote found', {}]);
    expect(answer(new VoteRefusedError('AGGREGATE_HASH_NOT_FOUND'))).toEqual([400, 'aggregate_hash not found', {}]);
  });

  it('answers a recheck of a success 409, the other refusals 400', () => {
    expect(answer(new RecheckRefusedError('RECHECK_OF_SUCCESS', 'nova', 'x'))).toEqual([
      409,
      'Error while rechecking nova. x',
      {},
    ]);
    expect(answer(new RecheckRefusedError('NOTHING_TO_RECHECK', 'nova', 'y'))).toEqual([
      400,
      'Error while rechecking nova. y',
      {},
    ]);
    expect(answer(new RecheckRefusedError('RECHECK_REFUSED', 'nova', 'z'))).toEqual([
      400,
      'Error while rechecking nova. z',
      {},
    ]);
  });

  it('answers each promotion refusal with its status', () => {
    expect(answer(new InvalidPromotionNameError('current'))).toEqual([403, 'Invalid promote_name current', {}]);
    const status = (code: ConstructorParameters<typeof PromotionRefusedError>[0]) =>
      (answer(new PromotionRefusedError(code, 'm')) as unknown[])[0];
    expect(status('PROMOTION_COMMIT_NOT_FOUND')).toBe(400);
    expect(status('PROMOTION_PURGED')).toBe(410);
    expect(status('PROMOTION_NAME_TAKEN')).toBe(403);
    expect(status('PROMOTION_LINK_IMPOSSIBLE')).toBe(500);
    expect(status('PROMOTION_LINK_LAGGING')).toBe(500);
  });

  it('answers a promotion the log refused 507 when full, 503 otherwise, to be sent again later', () => {
    expect(answer(PromotionRefusedError.notRecorded(new StorageError('event log', 'full'), null))).toEqual([
      507,
      'Promotion not recorded: the event log is full. No link was moved.',
      { 'retry-after': '60' },
    ]);
    expect(answer(PromotionRefusedError.notRecorded(new Error('boom'), 'a'))).toEqual([
      503,
      'Promotion of a not recorded: the event store refused the write. All previously created symlinks have been rolled back.',
      { 'retry-after': '60' },
    ]);
  });

  it('answers a refused import URL 400, a busy importer 503, any other failure 500', () => {
    expect(answer(new RemoteImportError('REMOTE_HOST_REFUSED', 'host refused'))).toEqual([400, 'host refused', {}]);
    expect(answer(new RemoteImportError('REMOTE_IMPORT_BUSY', 'busy'))).toEqual([
      503,
      'Remote import failed with error: busy',
      {},
    ]);
    expect(answer(new RemoteImportError('REMOTE_TIMEOUT', 'slow'))).toEqual([
      500,
      'Remote import failed with error: slow',
      {},
    ]);
  });

  it('leaves anything else to the exception filter', () => {
    const storage = new StorageError('event log', 'unavailable');
    expect(dlrnAnswerTo(storage)).toBe(storage);
  });
});
