import 'reflect-metadata';
import { createLogger, logLevel } from '#infrastructure/logging/logger.js';
import { runBuilder } from './builder.daemon.js';

// The builder alone: `node dist/apps/builder/src/main.js <projects.ini> [<info repo>]`
// (what `dlrn builder --config-file … --info-repo …` runs). Logs on stderr, level DLRN_LOG_LEVEL.
const [configFile = 'projects.ini', infoRepo] = process.argv.slice(2);
process.exitCode = await runBuilder(
  { configFile, configOverride: [], ...(infoRepo === undefined ? {} : { infoRepo }) },
  createLogger({ service: 'dlrn-builder', level: logLevel(process.env['DLRN_LOG_LEVEL']) }),
);
