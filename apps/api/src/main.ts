import 'reflect-metadata';
import { loadConfiguration } from '#infrastructure/config/index.js';
import { logLevel } from '#infrastructure/logging/logger.js';
import { createApiApp } from './api.app.js';

// Standalone API process: `node dist/apps/api/src/main.js <projects.ini>` (or `dlrn api`); logs on
// stderr, level DLRN_LOG_LEVEL.
const configFile = process.argv[2] ?? 'projects.ini';
const { config } = await loadConfiguration({ configFile });
const app = await createApiApp(config, { logLevel: logLevel(process.env['DLRN_LOG_LEVEL']) });
await app.listen({ host: config.service.apiHost, port: config.service.apiPort });
