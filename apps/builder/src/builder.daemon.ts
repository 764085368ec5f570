import { setTimeout as sleep } from 'node:timers/promises';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { waitForPush, type PushesSeen } from '#application/webhooks/push-waker.js';
import { loadConfiguration, missingMockTemplate, type EventStoreTarget } from '#infrastructure/config/index.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';

export interface BuilderFlags {
  configFile: string;
  configOverride: string[];
  infoRepo?: string;
  headOnly?: boolean;
  once?: boolean;
}

/** Where the daemon reports; the CLI passes stdout/stderr. */
export interface BuilderIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The builder daemon (`dlrn builder`): DLRN's pass in a loop, every `[service] poll_interval`
 * seconds, so no cron is needed. The configuration and package metadata are read again before
 * each pass (a bad edit is logged and that pass skipped until it is fixed). Between passes it
 * follows the log: a PushReceived (a forge's webhook, recorded by any API sharing the store)
 * starts at once a pass of the packages it names; the full pass still comes every
 * `poll_interval`. SIGTERM/SIGINT: no new build starts, started ones are recorded, then it exits.
 */
export async function runBuilder(
  flags: BuilderFlags,
  io: BuilderIo,
  signal?: AbortSignal,
  /** Run after each pass that built something (`dlrn builder` rewrites the views and reports). */
  afterPass?: () => Promise<void>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => {
    io.out('builder: stopping after the builds in progress\n');
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
          log: (line) => io.out(`${line}\n`),
          ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
        });
        try {
          // Pushes recorded from here on wake the next wait: this pass may have fetched too early for them.
          since = Math.max(since, await store.headPosition());
          const pushed = woken?.packages.filter((name) => packages.some((pkg) => pkg.name === name)) ?? [];
          if (woken !== null)
            io.out(`builder: pass ${pass} woken by a push: ${pushed.join(', ') || '(no package of ours)'}\n`);
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
          if (report !== null && report.builds.length > 0) await afterPass?.();
          if (report !== null)
            io.out(`builder: pass ${pass} done: ${report.builds.length} build(s), exit code ${report.exitCode}\n`);
        } finally {
          await deps.close?.();
          await store.close();
        }
      } catch (error) {
        io.err(`builder: pass ${pass} failed: ${(error as Error).message}\n`);
        if (flags.once) return 1;
      }
      if (flags.once) return 0;
      if (fullPass) nextFullPass = Date.now() + interval * 1000;
      woken = await sleepUntilPush(target, since, Math.max(0, nextFullPass - Date.now()), stop.signal, io);
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
  io: BuilderIo,
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
      io.err(`builder: cannot follow the log for pushes: ${(error as Error).message}\n`);
    }
  }
  await sleep(ms, undefined, { signal }).catch(() => undefined);
  return null;
}
