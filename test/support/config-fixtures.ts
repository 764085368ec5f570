import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '#infrastructure/config/shared/config.error.js';

/** test/fixtures/config, absolute. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));

/** Runs `load` and returns the ConfigError it throws; fails the test if it throws nothing else. */
export function configErrorFrom(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the load succeeded');
}

/** Writes `files` (relative path → text) under a fresh temporary directory and returns it. */
export function writeTree(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

/** The smallest `releases:` distroinfo accepts. */
export const RELEASES = 'releases:\n- name: flamingo\n  branch: rpm-master\n  repos:\n  - name: el9s\n';
