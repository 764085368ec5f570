import { setTimeout as sleep } from 'node:timers/promises';
import { BuildPass } from '#application/build-pass/build-pass.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#application/build-pass/build-loop.types.js';
import { loadConfiguration, missingMockTemplate } from '#infrastructure/config/index.js';
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
 * each pass (a bad edit is logged and that pass skipped until it is fixed). SIGTERM/SIGINT: no
 * new build starts, started ones are recorded, then it exits.
 */
export async function runBuilder(flags: BuilderFlags, io: BuilderIo, signal?: AbortSignal): Promise<number> {
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
  try {
    for (let pass = 1; !stop.signal.aborted; pass++) {
      let interval = 60;
      try {
        const { config, packages } = await loadConfiguration({
          configFile: flags.configFile,
          ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
          overrides: flags.configOverride,
        });
        interval = config.service.pollInterval;
        const missingTemplate = missingMockTemplate(config);
        if (missingTemplate !== null) throw new Error(`${config.configFileShown}: ${missingTemplate}`);
        const store = await openEventStore(config.service.eventStoreTarget);
        const deps = createBuildLoopDeps({ config, packages, store, log: (line) => io.out(`${line}\n`) });
        try {
          const report = await new BuildPass(deps).run(
            { ...DEFAULT_PASS_OPTIONS, headOnly: Boolean(flags.headOnly), signal: stop.signal },
            'daemon',
          );
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
      await sleep(interval * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    return 0;
  } finally {
    signal?.removeEventListener('abort', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
