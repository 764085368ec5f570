#!/usr/bin/env -S node --max-semi-space-size=64
// The `dlrn` executable: runs the compiled CLI (npm run build writes dist/). A 64 MB young
// generation: a projector batch's events die young instead of being copied out of a 16 MB one
// (bench/projections: the GC threads' CPU halved in a 1M-event rebuild).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/apps/cli/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('dlrn: not built yet: run `npm run build` (or `npm run setup`) in the project directory\n');
  process.exit(1);
}
await import(entry.href);
