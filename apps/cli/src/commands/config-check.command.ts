import type { Command } from 'commander';
import {
  configurationNotes,
  loadConfiguration,
  missingMockTemplate,
  packagesAsJson,
} from '#infrastructure/config/index.js';
import type { CliIo } from '../cli-io.js';
import { collect } from '../cli-io.js';

interface ConfigCheckOptions {
  configFile: string;
  infoRepo?: string;
  configOverride: string[];
  json?: boolean;
}

/** `dlrn config check`: load and validate projects.ini and the package metadata, list packages. */
export function registerConfigCheck(config: Command, io: CliIo): void {
  config
    .command('check')
    .description('load and validate the configuration and list the resolved packages')
    .requiredOption('--config-file <file>', "DLRN's projects.ini")
    .option('--info-repo <dir>', 'local rdoinfo/distroinfo checkout holding the package metadata')
    .option('--config-override <section.option=value>', 'override a projects.ini option (repeatable)', collect, [])
    .option('--json', 'print the resolved packages as a JSON array')
    .action(async (options: ConfigCheckOptions) => {
      const { config: cfg, packages } = await loadConfiguration({
        configFile: options.configFile,
        ...(options.infoRepo === undefined ? {} : { infoRepo: options.infoRepo }),
        overrides: options.configOverride,
      });
      const missingTemplate = missingMockTemplate(cfg);
      if (missingTemplate !== null) io.err(`dlrn: warning: ${options.configFile}: ${missingTemplate}\n`);
      for (const note of configurationNotes(cfg)) io.err(`dlrn: note: ${options.configFile}: ${note}\n`);
      const rows = packagesAsJson(packages, cfg);
      if (options.json) {
        io.out(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      io.out(`${options.configFile}: OK — ${rows.length} package(s)\n`);
      const header = ['name', 'project', 'source-branch', 'distro-branch', 'component', 'maintainers'];
      const table = rows.map((r) => [
        r.name,
        r.project,
        r['source-branch'] ?? '',
        r['distro-branch'] ?? '',
        r.component ?? '',
        r.maintainers.join(' '),
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
      for (const row of [header, ...table])
        io.out(
          `${row
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()}\n`,
        );
    });
}
