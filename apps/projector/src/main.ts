import 'reflect-metadata';
import { runProjector } from './projector.daemon.js';

// The projector alone: `node dist/apps/projector/src/main.js <projects.ini>` (what `dlrn projector` runs).
process.exitCode = await runProjector(
  { configFile: process.argv[2] ?? 'projects.ini' },
  { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) },
);
