import { RemoteImportError } from '#domain/build/remote-import.error.js';

/**
 * An import's whole budget (`[service] remote_import_timeout`): aborts with REMOTE_TIMEOUT when
 * the time is up, and with the outer signal's reason when that one aborts (shutdown, Ctrl-C).
 * Idle timeouts alone let a worker sending a byte every few seconds hold an import for ever.
 */
export function importDeadline(
  timeoutMs: number,
  outer?: AbortSignal,
): { readonly signal: AbortSignal; readonly dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new RemoteImportError(
          'REMOTE_TIMEOUT',
          `the import took longer than ${timeoutMs / 1000} s ([service] remote_import_timeout)`,
        ),
      ),
    timeoutMs,
  );
  // A pending deadline must not keep a CLI process alive once everything else is done.
  timer.unref();
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

let recording: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` after every recording started before it in this process (DLRN's `remote.lck`,
 * within a process): imports download concurrently, but claim, publish and move `current`
 * one at a time, so two imports never race on the same pointer link or snapshot.
 */
export function oneRecordingAtATime<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  // Aborted while waiting for its turn (the deadline, a shutdown): it gives the turn up at once.
  // Once its turn came, the work is local and short and completes rather than stop half-way.
  let state: 'waiting' | 'started' | 'abandoned' = 'waiting';
  const run = recording.then(() => {
    if (state === 'abandoned') throw signal?.reason;
    state = 'started';
    return work();
  });
  recording = run.catch(() => undefined);
  if (signal === undefined) return run;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if (state !== 'waiting') return;
      state = 'abandoned';
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
