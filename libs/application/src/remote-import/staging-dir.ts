import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A staging directory this old belongs to an import that died mid-download: nobody writes there. */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;

export const stagingPrefix = (finalName: string): string => `.import-${finalName}-`;

/**
 * Removes what imports of `finalName` that died mid-download (crash, SIGKILL) left in `dir`:
 * staging directories untouched for a day. Live imports add files far more often than that.
 */
export async function sweepStaleStaging(dir: string, finalName: string, now = Date.now()): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const prefix = stagingPrefix(finalName);
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(prefix))
      .map(async (entry) => {
        const path = join(dir, entry);
        const info = await stat(path).catch(() => null);
        if (info?.isDirectory() && now - info.mtimeMs > STALE_STAGING_MS)
          await rm(path, { recursive: true, force: true });
      }),
  );
}
