import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './config.error.js';

/** No configuration or metadata file is anywhere near this; rdoinfo's rdo.yml is ~150 KB. */
export const MAX_CONFIG_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Reads a UTF-8 file after checking its size, so that a huge (or endless) file is refused
 * without being read. `shown` is the name used in messages.
 */
export function readBoundedTextFile(path: string, shown: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) {
      throw new ConfigError({ file: shown, reason: 'is not a regular file' });
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError({
      file: shown,
      reason: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`,
    });
  }
  if (size > maxBytes) {
    throw new ConfigError({
      file: shown,
      reason: `file is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${maxBytes / 1024 / 1024} MB`,
    });
  }
  return readFileSync(path, 'utf8');
}
