import { open } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { BuildLog } from '#reports/build-page.renderer.js';

/** How much of a log a build page shows: its end, where a failure is explained. */
export const BUILD_LOG_CAP = 512 * 1024;

/**
 * The last `cap` bytes of `<reposDir>/<repoDir>/rpmbuild.log`, or null when there is none. A
 * repoDir that would leave the repos directory reads nothing.
 */
export async function readBuildLog(reposDir: string, repoDir: string, cap = BUILD_LOG_CAP): Promise<BuildLog | null> {
  const root = resolve(reposDir);
  const file = resolve(root, repoDir, 'rpmbuild.log');
  if (!file.startsWith(root + sep)) return null;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, cap);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    let text = buffer.toString('utf8');
    // A cut in the middle of a character or line: start at the next whole line.
    if (size > cap) text = text.slice(text.indexOf('\n') + 1);
    return { text, size, truncated: size > cap };
  } finally {
    await handle.close();
  }
}
