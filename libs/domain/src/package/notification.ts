/** DLRN sends at most one failure mail per package every 24 hours. */
export const NOTIFICATION_THROTTLE_SECONDS = 86_400;

/** True when a failure mail may go out now, given the last one sent (epoch seconds). */
export function mayNotify(lastSentAt: number | null, now: number): boolean {
  return lastSentAt === null || now - lastSentAt > NOTIFICATION_THROTTLE_SECONDS;
}

/** DLRN opens a Gerrit review only for the first failure after a success (or with no history). */
export function shouldRequestReview(previousStatus: 'SUCCESS' | 'FAILED' | 'RETRY' | null): boolean {
  return previousStatus === null || previousStatus === 'SUCCESS';
}
