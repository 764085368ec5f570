#!/usr/bin/env node
// The `dlrn` executable: runs the compiled CLI (npm run build writes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/apps/cli/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('dlrn: not built yet: run `npm run build` (or `npm run setup`) in the project directory\n');
  process.exit(1);
}
await import(entry.href);
