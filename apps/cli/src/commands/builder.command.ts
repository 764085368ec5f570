import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { BuildPass } from '#infrastructure/build-loop/build-pass.js';
import { createBuildLoopDeps } from '#infrastructure/build-loop/build-loop.factory.js';
import { DEFAULT_PASS_OPTIONS } from '#infrastructure/build-loop/build-loop.types.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { collect, type CliIo } from '../cli-io.js';

interface BuilderFlags {
  configFile: string;
  configOverride: string[];
  infoRepo?: string;
  headOnly?: boolean;
  once?: boolean;
}

/**
 * `dlrn builder`: DLRN's pass in a loop, every `[service] poll_interval` seconds, so no cron is
 * needed. The configuration and package metadata are read again before each pass (a bad edit is
 * logged and the previous pass's settings are not kept: the pass is skipped until it is fixed).
 * SIGTERM/SIGINT: no new build starts, started ones are recorded, then it exits.
 */
export function registerBuilder(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('builder')
    .description('run the build loop continuously (poll interval from [service] poll_interval)')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout holding the package metadata')
    .option('--head-only', 'build only the newest commit of each package')
    .option('--once', 'run one pass and exit (for tests and cron)')
    .action(async (flags: BuilderFlags) => exit(await runBuilder(flags, io)));
}

async function runBuilder(flags: BuilderFlags, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => {
    io.out('builder: stopping after the builds in progress\n');
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
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
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
