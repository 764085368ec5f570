import 'reflect-metadata';
import { createLogger, logLevel } from '#infrastructure/logging/logger.js';
import { runProjector } from './projector.daemon.js';

// The projector alone: `node dist/apps/projector/src/main.js <projects.ini>` (what `dlrn projector`
// runs). Logs on stderr, level DLRN_LOG_LEVEL.
process.exitCode = await runProjector(
  { configFile: process.argv[2] ?? 'projects.ini' },
  createLogger({ service: 'dlrn-projector', level: logLevel(process.env['DLRN_LOG_LEVEL']) }),
);
