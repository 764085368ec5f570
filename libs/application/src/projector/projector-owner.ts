import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const OWNER = /^projector@(.+):(\d+):[0-9a-f]+$/;

/**
 * This process's name in projection locks: host, pid and a nonce, so two projectors on one host
 * (a `dlrn projector` beside `dlrn serve`) never take each other for themselves.
 */
export function projectorOwner(): string {
  return `projector@${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * True when `holder` is a projector of this host whose process is gone (killed, crashed): its
 * lease may be taken at once instead of after it expires. A holder elsewhere, or in a living
 * process, is never judged dead.
 */
export function isDeadLocalOwner(holder: string, host = hostname()): boolean {
  const match = OWNER.exec(holder);
  if (match === null || match[1] !== host) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
