import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import { loadProjectsIni } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { projectorOwner } from '#application/projector/projector-owner.js';
import { runWebhookSender } from '#application/outbox/webhook-sender.loop.js';
import { openReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import type { Logger } from '#infrastructure/logging/logger.js';
import { reportSettings, StaticReportRefresher, StaticReportWriter } from '#application/reports/index.js';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProjectorFlags {
  configFile: string;
  /** `--config-override section.option=value` rules, as the builder and the API take them. */
  configOverride?: string[];
  /** Catch up with the head of the log, then exit. */
  once?: boolean;
  /**
   * With `once`: projections another projector runs are waited for (at most this long) until
   * they pass the head of the log as it was at the start, so that the static reports written at
   * the end show it all. A build pass asks this (`dlrn` writes DLRN's reports as DLRN's does).
   */
  waitForOthersMs?: number;
}

/** Where the `projections` commands print what they were asked for. */
export interface ProjectorIo {
  out(text: string): void;
  err(text: string): void;
}

/** At most one rewrite of the static reports per this many milliseconds. */
const STATIC_REPORTS_INTERVAL_MS = 2_000;
/** How often a projector whose projections are all run by another one tries to take them. */
const STANDBY_RETRY_MS = 5_000;
/** Back-off after a failed run (a full disk, a lost database): doubling from 1 s up to 30 s. */
const backoffMs = (failures: number): number => Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5));

/**
 * The projector daemon (`dlrn projector`): keeps every read model up to date with the event log
 * until SIGTERM/SIGINT. Projections locked by another projector are left to it: with none of its
 * own, this one stands by and takes over when the other's lease is free. A failed run (storage
 * full or unavailable, a lease lost) is logged and retried with back-off; it never ends the
 * process that hosts the projector (`dlrn serve`). While it runs, and once at the end, it
 * rewrites DLRN's static reports in `<datadir>/repos/` when that exists. What it does goes to
 * `logger` (a line per change of state, never one per batch).
 */
export async function runProjector(flags: ProjectorFlags, logger: Logger, signal?: AbortSignal): Promise<number> {
  const config = loadProjectsIni(flags.configFile, flags.configOverride ?? []);
  const events = await openEventStore(config.service.eventStoreTarget);
  const readModels = await openReadModelStore(config.service.readModelStoreTarget).catch(async (error: unknown) => {
    await events.close();
    throw error;
  });
  const log = (line: string): void => logger.info(line);
  // One owner for the process: an engine made anew after a failure takes its own leases back.
  const engineOptions = { log, owner: projectorOwner() };
  let engine = new ProjectionEngine(events, readModels, ALL_PROJECTIONS, engineOptions);
  const reposDir = join(config.default.datadir, 'repos');
  const reports = new StaticReportRefresher(
    new StaticReportWriter(readModels, reportSettings(config), reposDir),
    reposDir,
    (line) => logger.warn(line),
  );
  // The engine has no batch callback: its checkpoint is polled, which also debounces the writes.
  const timer = setInterval(() => void reports.refresh(engine.checkpoint), STATIC_REPORTS_INTERVAL_MS);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // Inside `dlrn serve` the caller owns the signals and tells us through `signal`.
  if (signal) signal.addEventListener('abort', onSignal, { once: true });
  else {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal: stop.signal }).catch(() => undefined);
  // The outgoing webhook's sender runs where the projector runs, under its own lease (issue 18).
  const webhook = flags.once ? null : config.notify.webhook;
  const sending = webhook
    ? runWebhookSender(events, readModels, { webhook, source: config.default.baseurl ?? 'urn:dlrn', log }, stop.signal)
    : Promise.resolve();
  try {
    let failures = 0;
    let standingBy = false;
    // A pass waits for the projections others run at most this long, all restarts included.
    const waitUntil = Date.now() + (flags.waitForOthersMs ?? 0);
    while (!stop.signal.aborted) {
      try {
        const busy = await engine.start();
        if (busy.length === ALL_PROJECTIONS.length && !flags.once) {
          if (!standingBy) logger.info('projector: every projection is run by another projector; standing by');
          standingBy = true;
          await pause(STANDBY_RETRY_MS);
          continue;
        }
        if (busy.length > 0) logger.info({ busy }, `projector: ${busy.join(', ')} run by another projector`);
        else if (standingBy) logger.info('projector: took over the projections');
        standingBy = false;
        const head = await events.headPosition();
        logger.info({ head }, `projector: following the log (head at position ${head})`);
        // A daemon that found some projections held (a pass's once-projector refreshing its
        // reports, or a projector that died) takes them as soon as they are free: it restarts
        // its engine then, rather than leave them to nobody.
        const freed = busy.length > 0 && !flags.once ? whenAnyFree(readModels, busy, stop.signal) : null;
        await engine.run({ signal: freed?.signal ?? stop.signal, untilCaughtUp: Boolean(flags.once) });
        freed?.dispose();
        if (flags.once && busy.length > 0 && flags.waitForOthersMs !== undefined) {
          const waited = await waitForOthers(readModels, busy, head, Math.max(0, waitUntil - Date.now()), logger);
          if (waited === 'freed') {
            // The other projector (another pass's once-projector) stopped before our appends:
            // nobody would fold them. A new engine takes the free projections and catches up.
            await engine.stop();
            engine = new ProjectionEngine(events, readModels, ALL_PROJECTIONS, engineOptions);
            continue;
          }
        }
        if (flags.once || stop.signal.aborted) break;
        if (freed?.signal.aborted) {
          await engine.stop();
          engine = new ProjectionEngine(events, readModels, ALL_PROJECTIONS, engineOptions);
          continue;
        }
        throw new Error('the event log subscription ended');
      } catch (error) {
        if (flags.once) throw error;
        const wait = backoffMs(failures++);
        logger.error({ err: error }, `projector: ${(error as Error).message}; retrying in ${wait / 1000} s`);
        await engine.stop().catch(() => undefined);
        engine = new ProjectionEngine(events, readModels, ALL_PROJECTIONS, engineOptions);
        await pause(wait);
      }
    }
    clearInterval(timer);
    await reports.flush(engine.checkpoint);
    logger.info({ position: engine.checkpoint }, `projector: at position ${engine.checkpoint}`);
    return 0;
  } finally {
    clearInterval(timer);
    stop.abort();
    await sending;
    await reports.settle();
    signal?.removeEventListener('abort', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await engine.stop().catch(() => undefined);
    await readModels.close();
    await events.close();
  }
}

/**
 * A signal that aborts with `stop`, or once one of `names` can be locked by this projector (tried
 * every STANDBY_RETRY_MS, the lock released at once: the restarted engine takes it for good).
 */
function whenAnyFree(
  readModels: Awaited<ReturnType<typeof openReadModelStore>>,
  names: readonly string[],
  stop: AbortSignal,
): { signal: AbortSignal; dispose: () => void } {
  const freed = new AbortController();
  const onStop = (): void => freed.abort();
  stop.addEventListener('abort', onStop, { once: true });
  const owner = projectorOwner();
  const timer = setInterval(() => {
    void (async () => {
      for (const name of names) {
        const lock = await readModels.tryLock(name, owner, {});
        if (lock === null) continue;
        await lock.release();
        freed.abort();
        return;
      }
    })().catch(() => undefined);
  }, STANDBY_RETRY_MS);
  return {
    signal: freed.signal,
    dispose: () => {
      clearInterval(timer);
      stop.removeEventListener('abort', onStop);
    },
  };
}

/**
 * Waits until the projections another projector runs have passed `position` (their active
 * versions' checkpoints), polling, at most `timeoutMs`; says which did not. 'freed' when one that
 * is behind is no longer held by anyone (its projector stopped short of `position`, as a pass's
 * once-projector that started before our appends does): waiting longer would wait for nobody.
 */
async function waitForOthers(
  readModels: Awaited<ReturnType<typeof openReadModelStore>>,
  names: readonly string[],
  position: number,
  timeoutMs: number,
  logger: Logger,
): Promise<'caught-up' | 'freed' | 'timed-out'> {
  const deadline = Date.now() + timeoutMs;
  const owner = projectorOwner();
  for (;;) {
    const behind: string[] = [];
    for (const name of names) {
      const version = await readModels.activeVersion(name);
      if (version === null || (await readModels.checkpoint(name, version)) < position) behind.push(name);
    }
    if (behind.length === 0) return 'caught-up';
    for (const name of behind) {
      const lock = await readModels.tryLock(name, owner, {});
      if (lock === null) continue;
      await lock.release();
      return 'freed';
    }
    if (Date.now() >= deadline) {
      logger.warn(
        { behind, position },
        `projector: ${behind.join(', ')} still behind position ${position} after ${timeoutMs / 1000} s (run by another projector)`,
      );
      return 'timed-out';
    }
    await sleep(100);
  }
}

/** `dlrn projections status`: each projection's versions, checkpoints and lag. */
export async function projectionStatus(configFile: string, io: ProjectorIo): Promise<number> {
  const config = loadProjectsIni(configFile);
  const events = await openEventStore(config.service.eventStoreTarget);
  const readModels = await openReadModelStore(config.service.readModelStoreTarget);
  try {
    const head = await events.headPosition();
    const stored = await readModels.checkpoints();
    io.out(`event log head: ${head}\n`);
    for (const projection of ALL_PROJECTIONS) {
      const rows = stored.filter((c) => c.name === projection.name);
      const current = rows.find((c) => c.version === projection.version);
      const state = current
        ? `at ${current.position}, ${head - current.position} behind${current.active ? ', active' : ', building'}`
        : 'never run';
      io.out(`${projection.name.padEnd(16)} v${projection.version}  ${state}\n`);
    }
    return 0;
  } finally {
    await readModels.close();
    await events.close();
  }
}

/** `dlrn projections rebuild [name…]`: drops the projections' tables and builds them from zero. */
export async function rebuildProjections(
  configFile: string,
  names: readonly string[],
  io: ProjectorIo,
): Promise<number> {
  const unknown = names.filter((n) => !ALL_PROJECTIONS.some((p) => p.name === n));
  if (unknown.length > 0) {
    io.err(
      `dlrn projections: unknown projection ${unknown.join(', ')}; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}\n`,
    );
    return 1;
  }
  const chosen = names.length === 0 ? ALL_PROJECTIONS : ALL_PROJECTIONS.filter((p) => names.includes(p.name));
  const config = loadProjectsIni(configFile);
  const events = await openEventStore(config.service.eventStoreTarget);
  const readModels = await openReadModelStore(config.service.readModelStoreTarget);
  try {
    for (const projection of chosen) await readModels.drop(projection.name, projection.version);
    const engine = new ProjectionEngine(events, readModels, chosen, { log: (line) => io.out(`${line}\n`) });
    const started = Date.now();
    const busy = await engine.start();
    if (busy.length > 0) {
      io.err(`dlrn projections: ${busy.join(', ')} locked by a running projector; stop it first\n`);
      await engine.stop();
      return 1;
    }
    await engine.run({ untilCaughtUp: true });
    await engine.stop();
    io.out(
      `rebuilt ${chosen.map((p) => p.name).join(', ')} up to position ${engine.checkpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    await readModels.close();
    await events.close();
  }
}
