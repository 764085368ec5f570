import 'reflect-metadata';
import { runBuilder } from './builder.daemon.js';

// The builder alone: `node dist/apps/builder/src/main.js <projects.ini> [<info repo>]`
// (what `dlrn builder --config-file … --info-repo …` runs).
const [configFile = 'projects.ini', infoRepo] = process.argv.slice(2);
process.exitCode = await runBuilder(
  { configFile, configOverride: [], ...(infoRepo === undefined ? {} : { infoRepo }) },
  { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) },
);
