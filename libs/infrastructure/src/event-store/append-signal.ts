import type { EventEmitter } from 'node:events';

/**
 * What a catch-up subscription waits on between polls: an `append` on `appends` (this process's
 * appends, or a notification from another process), `timeoutMs` (the poll), or `abort`. Shared
 * by the SQLite and PostgreSQL stores; listeners are always removed.
 */
export function waitForAppend(appends: EventEmitter, timeoutMs: number, abort: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      appends.off('append', finish);
      abort.removeEventListener('abort', finish);
      done();
    };
    const timer = setTimeout(finish, timeoutMs);
    appends.once('append', finish);
    abort.addEventListener('abort', finish, { once: true });
  });
}
