import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadConfiguration, loadProjectsIni, type DlrnConfig } from '#infrastructure/config/index.js';
import { createApiApp } from '../../../api/src/api.app.js';
import { runBuilder } from '../../../builder/src/builder.daemon.js';
import { runProjector } from '../../../projector/src/projector.daemon.js';
import type { Logger } from '#infrastructure/logging/logger.js';
import { collect, type CliIo } from '../cli-io.js';

interface ApiFlags {
  configFile: string;
  configOverride: string[];
  port?: number;
  host?: string;
  infoRepo?: string;
}

interface ServeFlags extends ApiFlags {
  builder: boolean;
  headOnly?: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

/** Resolves on SIGTERM/SIGINT (once), and aborts the returned signal. */
function untilSignal(): { signal: AbortSignal; stopped: Promise<void>; dispose: () => void } {
  const controller = new AbortController();
  let done!: () => void;
  const stopped = new Promise<void>((resolve) => (done = resolve));
  const onSignal = (): void => {
    controller.abort();
    done();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    signal: controller.signal,
    stopped,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

async function listen(config: DlrnConfig, flags: ApiFlags, logger: Logger) {
  // Remote imports need the package list: read it afresh for each, as DLRN does.
  const loadPackages = async () => {
    const loaded = await loadConfiguration({
      configFile: flags.configFile,
      ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
      overrides: flags.configOverride,
    });
    // gitrepo and local have no list at load: their source answers (it may fetch, as DLRN's
    // does); the others' list at load (rdoinfo read in place, or its last clone) is enough here.
    const driver = loaded.config.default.pkginfoDriverName;
    return loaded.packageSource && (driver === 'gitrepo' || driver === 'local')
      ? [...(await loaded.packageSource.list({ dev: false, local: false })).packages]
      : loaded.packages;
  };
  const app = await createApiApp(config, { loadPackages, logger });
  const host = flags.host ?? config.service.apiHost;
  await app.listen({ host, port: flags.port ?? config.service.apiPort });
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : flags.port;
  logger.info(
    { host, port: actualPort },
    `api: listening on http://${host}:${actualPort}/ (OpenAPI at /api/openapi.json, docs at /api/docs)`,
  );
  return app;
}

/** `dlrn api`: the HTTP API alone, against shared stores (projector and builders run elsewhere). */
async function runApi(flags: ApiFlags, io: CliIo): Promise<number> {
  const config = loadProjectsIni(flags.configFile, flags.configOverride);
  const stop = untilSignal();
  const logger = io.logger('dlrn-api');
  const app = await listen(config, flags, logger);
  try {
    await stop.stopped;
    logger.info('api: stopping');
    return 0;
  } finally {
    stop.dispose();
    await app.close();
  }
}

/**
 * `dlrn serve`: API, projector and builder in one process, on the embedded stores by default.
 * SIGTERM: stop taking requests, let started builds finish and be recorded, then exit.
 */
async function runServe(flags: ServeFlags, io: CliIo): Promise<number> {
  // One effective configuration for all three parts: the overrides reach the API and the
  // projector too (an override of protect_read_endpoints or datadir used to reach the builder only).
  const config = loadProjectsIni(flags.configFile, flags.configOverride);
  const stop = untilSignal();
  const projecting = runProjector(
    { configFile: flags.configFile, configOverride: flags.configOverride },
    io.logger('dlrn-projector'),
    stop.signal,
  );
  const logger = io.logger('dlrn-api');
  const app = await listen(config, flags, logger);
  const building = flags.builder
    ? runBuilder(
        {
          configFile: flags.configFile,
          configOverride: flags.configOverride,
          ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
          headOnly: Boolean(flags.headOnly),
        },
        io.logger('dlrn-builder'),
        stop.signal,
      )
    : Promise.resolve(0);
  try {
    await stop.stopped;
    logger.info('serve: stopping');
    await app.close();
    const codes = await Promise.all([building, projecting]);
    return Math.max(...codes);
  } finally {
    stop.dispose();
  }
}

/** A command serving the API: its configuration and where it listens. */
function apiCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .option('--port <n>', 'port to listen on (default: [service] api_port)', port)
    .option('--host <address>', 'address to listen on (default: [service] api_host)');
}

/** `dlrn api` and `dlrn serve`. */
export function registerServe(program: Command, io: CliIo, exit: (code: number) => void): void {
  apiCommand(program, 'api', 'run the HTTP API alone, against the stores the configuration names')
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout (for remote imports)')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .action(async (flags: ApiFlags) => exit(await runApi(flags, io)));
  apiCommand(program, 'serve', 'run API, projector and builder in one process')
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout for the builder')
    .option(
      '--config-override <section.option=value>',
      'override a projects.ini option for the API, the projector and the builder (repeatable)',
      collect,
      [],
    )
    .option('--head-only', 'build only the newest commit of each package')
    .option('--no-builder', 'do not build; serve the API and keep the views current')
    .action(async (flags: ServeFlags) => exit(await runServe(flags, io)));
}
