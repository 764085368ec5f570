import type { ProjectionEngine } from '#application/projector/projection-engine.js';
import type { ProjectionDefinition, ReadModelStore } from '#domain/projections/projection.js';

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Tests and benches: true once `engine` has committed every projection it runs past
 * `position`, false after `timeoutMs`. Polls its committed checkpoint every millisecond; the
 * service's own read-your-writes polls the stored checkpoints (the API's ViewVersion.waitFor).
 */
export async function engineCaughtUp(
  engine: Pick<ProjectionEngine, 'checkpoint'>,
  position: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (engine.checkpoint < position) {
    if (Date.now() >= deadline) return false;
    await pause(1);
  }
  return true;
}

/**
 * Read-your-writes across processes (a test and a separate projector): polls the stored
 * checkpoints until every projection has passed `position`, at most `timeoutMs`.
 */
export async function waitForCheckpoints(
  readModels: ReadModelStore,
  projections: readonly ProjectionDefinition[],
  position: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const positions = await Promise.all(projections.map((p) => readModels.checkpoint(p.name, p.version)));
    if (Math.min(...positions) >= position) return true;
    if (Date.now() >= deadline) return false;
    await pause(10);
  }
}
