import { hostname } from 'node:os';

/**
 * True when `pid` on `host` names a process of this host that is gone (killed, crashed,
 * restarted), so that what it held (a build claim, a projection lease) may be taken over at once
 * instead of after its lease. A process on another host, this very process, or a living one is
 * never judged gone; a pid reused by an unrelated process only delays a takeover to the lease.
 */
export function isGoneLocalProcess(host: string, pid: number, thisHost = hostname()): boolean {
  if (host !== thisHost || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
