import { hostname } from 'node:os';
import { isGoneLocalProcess } from '#infrastructure/runtime/local-process.js';

const HOLDER = /\((.+):(\d+)\)$/;

/**
 * The name a builder process writes in its claims: its `builder_id` and, always, its host and
 * pid (`builder-1 (host:4242)`), the form remote imports use. Several processes sharing one
 * configured `builder_id` thus never take each other's claims for their own stale ones: the
 * decider's "my own claim, stale whatever its lease" rule only matches the very same process.
 */
export function claimHolder(builderId: string, host = hostname(), pid = process.pid): string {
  return `${builderId} (${host}:${pid})`;
}

/**
 * True when `holder` names a process of this host that is gone (killed, crashed, restarted):
 * its claim may be taken over at once instead of after its lease. A holder on another host, one
 * without host and pid (claims written before they carried them), or a living process is never
 * judged stopped. A pid reused by an unrelated process only delays the takeover to the lease.
 */
export function isStoppedLocalHolder(holder: string, host = hostname()): boolean {
  const match = HOLDER.exec(holder);
  return match !== null && isGoneLocalProcess(match[1]!, Number(match[2]), host);
}
