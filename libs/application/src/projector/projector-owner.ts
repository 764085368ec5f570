import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isGoneLocalProcess } from '#infrastructure/runtime/local-process.js';

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
  return match !== null && isGoneLocalProcess(match[1]!, Number(match[2]), host);
}
