import type { Command } from 'commander';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { createBuildLoopDeps } from '#application/build-pass/build-loop.factory.js';
import { openEventStore } from '#infrastructure/event-store/event-store.factory.js';
import { RemoteImporter } from '#application/remote-import/remote-importer.js';
import { RemoteTargetPolicy } from '#infrastructure/net/remote-target.policy.js';
import type { CliIo } from '../cli-io.js';

interface RemoteFlags {
  configFile: string;
  repoUrl: string;
  infoRepo?: string;
  debug?: boolean;
}

/**
 * `dlrn remote` (DLRN's `dlrn-remote`): import a build made by another instance from its hashed
 * repo URL. The API's rules apply: `[service] remote_import_allowed_hosts` (the CLI is often
 * what a CI job runs with a URL it was handed) and `remote_import_timeout`.
 */
export function registerRemote(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('remote')
    .description('import a build made elsewhere (a worker, a CI job) from the URL of its hashed repository')
    .option('--config-file <file>', "DLRN's projects.ini", 'projects.ini')
    .requiredOption('--repo-url <url>', 'base URL of the remote hashed repository (holds commit.yaml)')
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout holding the package metadata')
    .option('--debug', 'accepted for DLRN compatibility')
    .action(async (flags: RemoteFlags) => exit(await runRemote(flags, io)));
}

async function runRemote(flags: RemoteFlags, io: CliIo): Promise<number> {
  try {
    const loaded = await loadConfiguration({
      configFile: flags.configFile,
      ...(flags.infoRepo === undefined ? {} : { infoRepo: flags.infoRepo }),
    });
    const { config, packageSource } = loaded;
    // As DLRN's import_commit, the package source answers (gitrepo and local have no list before).
    const packages = packageSource
      ? [...(await packageSource.list({ dev: false, local: false })).packages]
      : loaded.packages;
    const store = await openEventStore(config.service.eventStoreTarget);
    const deps = createBuildLoopDeps({ config, packages, store, log: (line) => io.out(`${line}\n`) });
    const stop = new AbortController();
    const onSignal = () => stop.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    try {
      const policy = RemoteTargetPolicy.fromConfig(config.service.remoteImportAllowedHosts);
      await new RemoteImporter(deps, { policy }).import(flags.repoUrl, {
        signal: stop.signal,
        timeoutMs: config.service.remoteImportTimeout * 1000,
        actor: `cli:${process.env['USER'] ?? 'unknown'}`,
      });
      return 0;
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await deps.close?.();
      await store.close();
    }
  } catch (error) {
    io.err(`dlrn remote: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
