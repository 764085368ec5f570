import { setTimeout as sleep } from 'node:timers/promises';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { waitForPush, type PushesSeen } from '#application/webhooks/push-waker.js';
import { loadConfiguration, missingMockTemplate, type EventStoreTarget } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import type { Logger } from '#infrastructure/logging/logger.js';

export interface BuilderFlags {
  configFile: string;
  configOverride: string[];
  infoRepo?: string;
  headOnly?: boolean;
  once?: boolean;
}

/**
 * The builder daemon (`dlrn builder`): DLRN's pass in a loop, every `[service] poll_interval`
 * seconds, so no cron is needed. The configuration and package metadata are read again before
 * each pass (a bad edit is logged and that pass skipped until it is fixed). Between passes it
 * follows the log: a PushReceived (a forge's webhook, recorded by any API sharing the store)
 * starts at once a pass of the packages it names; the full pass still comes every
 * `poll_interval`. SIGTERM/SIGINT: no new build starts, started ones are recorded, then it exits.
 * Progress goes to `log` (a line per build start and result, one per pass that did something;
 * refreshes at debug, each skip once); an idle daemon says so once, not once a poll, until
 * something happens again.
 */
export async function runBuilder(
  flags: BuilderFlags,
  log: Logger,
  signal?: AbortSignal,
  /** Run after each pass that built something (`dlrn builder` rewrites the views and reports). */
  afterPass?: () => Promise<void>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => {
    log.info('builder: stopping after the builds in progress');
    stop.abort();
  };
  // Inside `dlrn serve` the caller owns the signals and tells us through `signal`.
  if (signal) signal.addEventListener('abort', onSignal, { once: true });
  else {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  // Webhooks (issue 18): what woke this pass, where the next wait starts, when the next full pass is due.
  let woken: PushesSeen | null = null;
  let since = 0;
  let target: EventStoreTarget | null = null;
  let nextFullPass = 0;
  // Said once when a pass finds nothing to do; said again only after a pass that did something.
  let idle = false;
  // Skips (a package refused at each pass) are said once per package and reason, then at debug.
  const skipsSaid = new Set<string>();
  const progress = (pass: number) => (line: string, fields?: Readonly<Record<string, unknown>>) => {
    const kind = fields?.['kind'];
    const skip = kind === 'skip' ? `${String(fields?.['package'])}\0${String(fields?.['reason'])}` : null;
    const quiet = kind === 'refresh' || (skip !== null && skipsSaid.has(skip));
    if (skip !== null) skipsSaid.add(skip);
    if (quiet) log.debug({ pass, ...fields }, line);
    else log.info({ pass, ...fields }, line);
  };
  try {
    for (let pass = 1; !stop.signal.aborted; pass++) {
      let interval = 60;
      const fullPass = woken === null;
      try {
        const { config, packages, packageSource } = await loadConfiguration({
          configFile: flags.configFile,
          ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
          overrides: flags.configOverride,
        });
        interval = config.service.pollInterval;
        const missingTemplate = missingMockTemplate(config);
        if (missingTemplate !== null) throw new Error(`${config.configFileShown}: ${missingTemplate}`);
        target = config.service.eventStoreTarget;
        const store = await openEventStore(target);
        const deps = createBuildLoopDeps({
          config,
          packages,
          packageSource,
          store,
          log: progress(pass),
          ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
        });
        try {
          // Pushes recorded from here on wake the next wait: this pass may have fetched too early for them.
          since = Math.max(since, await store.headPosition());
          const pushed = woken?.packages.filter((name) => packages.some((pkg) => pkg.name === name)) ?? [];
          if (woken !== null)
            log.info(
              { pass, packages: pushed },
              `builder: pass ${pass} woken by a push: ${pushed.join(', ') || '(no package of ours)'}`,
            );
          const started = Date.now();
          const report =
            !fullPass && pushed.length === 0
              ? null
              : await new BuildPass(deps).run(
                  {
                    ...DEFAULT_PASS_OPTIONS,
                    packageNames: pushed,
                    headOnly: Boolean(flags.headOnly),
                    signal: stop.signal,
                  },
                  fullPass ? 'daemon' : 'webhook',
                );
          // Before the "done" line: a pass is done once its reports are written (and the
          // projections a once-projector held for them are free again).
          const built = report === null ? 0 : report.builds.length + report.changeBuilds.length;
          if (built > 0) await afterPass?.();
          if (report !== null && built > 0) {
            idle = false;
            const seconds = Math.round((Date.now() - started) / 100) / 10;
            const changes = report.changeBuilds.length;
            log.info(
              { pass, builds: report.builds.length, changeBuilds: changes, exitCode: report.exitCode, seconds },
              `builder: pass ${pass} done: ${report.builds.length} build(s)${changes > 0 ? ` and ${changes} change build(s)` : ''}, exit code ${report.exitCode}, ${seconds} s`,
            );
          } else if (report !== null && idle) {
            log.debug({ pass }, `builder: pass ${pass} done: nothing to build`);
          } else if (report !== null) {
            idle = true;
            log.info(
              { pass, pollInterval: interval },
              `builder: pass ${pass} done: nothing to build${flags.once ? '' : `; idle, polling every ${interval} s`}`,
            );
          }
        } finally {
          await deps.close?.();
          await store.close();
        }
      } catch (error) {
        idle = false;
        log.error({ pass, err: error }, `builder: pass ${pass} failed: ${(error as Error).message}`);
        if (flags.once) return 1;
      }
      if (flags.once) return 0;
      if (fullPass) nextFullPass = Date.now() + interval * 1000;
      woken = await sleepUntilPush(target, since, Math.max(0, nextFullPass - Date.now()), stop.signal, log);
      if (woken !== null) since = woken.position;
    }
    return 0;
  } finally {
    signal?.removeEventListener('abort', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/**
 * Sleeps until the next full pass is due, or until a push is recorded after `since` (then says
 * which packages it named). Without a store to follow (the configuration did not load), sleeps.
 */
async function sleepUntilPush(
  target: EventStoreTarget | null,
  since: number,
  ms: number,
  signal: AbortSignal,
  log: Logger,
): Promise<PushesSeen | null> {
  if (target !== null) {
    try {
      const store = await openEventStore(target);
      try {
        return await waitForPush(store, since, ms, signal);
      } finally {
        await store.close();
      }
    } catch (error) {
      log.warn({ err: error }, `builder: cannot follow the log for pushes: ${(error as Error).message}`);
    }
  }
  await sleep(ms, undefined, { signal }).catch(() => undefined);
  return null;
}
