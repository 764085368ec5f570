import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { DlrnConfig } from '#infrastructure/config/index.js';
import {
  ImportRemoteBuildCommand,
  ImportRemoteBuildHandler,
  MAX_PENDING_IMPORTS,
} from '#application/remote-import/import-remote-build.handler.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { answering } from './dlrn-refusals.js';

/**
 * Admission and ordering only: the package loader stands in for the import's first step and is
 * held until the test releases it (then it fails, so no import goes further and nothing is
 * fetched). The imports themselves are proved in test/e2e/remote-import-attacks.e2e.spec.ts.
 */
function service() {
  const waiting: { url: number; release: () => void }[] = [];
  let started = 0;
  const config = { service: { remoteImportAllowedHosts: [], remoteImportTimeout: 60 } } as unknown as DlrnConfig;
  const loadPackages = () =>
    new Promise<never>((_, fail) => {
      started++;
      waiting.push({ url: started, release: () => fail(new Error('released by the test')) });
    });
  const handler = new ImportRemoteBuildHandler(config, {} as EventStore, loadPackages, {
    info: () => undefined,
  } as unknown as Logger);
  // As the API runs it: the use case, its refusals answered as DLRN does.
  const svc = {
    import: (repoUrl: string, user: string) => answering(handler.execute(new ImportRemoteBuildCommand(repoUrl, user))),
    onModuleDestroy: () => handler.onModuleDestroy(),
  };
  return { svc, waiting, started: () => started };
}

const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 201,
    (error: unknown) => (error instanceof DlrnHttpError ? error.status : String(error)),
  );
const tick = () => new Promise((done) => setTimeout(done, 10));

describe('importing a remote build', () => {
  describe('when imports of different sources arrive together', () => {
    it('starts them all at once', async () => {
      const { svc, waiting, started } = service();
      const answers = ['a', 'b', 'c'].map((s) => status(svc.import(`https://worker.example.org/${s}`, 'ci')));
      await tick();
      expect(started()).toBe(3);
      for (const w of waiting) w.release();
      expect(await Promise.all(answers)).toEqual([500, 500, 500]);
    });
  });

  describe('when imports of the same source arrive together', () => {
    it('starts the second when the first has ended', async () => {
      const { svc, waiting, started } = service();
      const first = status(svc.import('https://worker.example.org/a', 'ci'));
      const second = status(svc.import('https://worker.example.org/a/', 'ci'));
      await tick();
      expect(started()).toBe(1);
      waiting[0]!.release();
      expect(await first).toBe(500);
      await tick();
      expect(started()).toBe(2);
      waiting[1]!.release();
      expect(await second).toBe(500);
    });
  });

  describe(`when ${MAX_PENDING_IMPORTS} imports are in progress`, () => {
    it('answers 503 to the next one, and admits again once one has ended', async () => {
      const { svc, waiting } = service();
      const answers = Array.from({ length: MAX_PENDING_IMPORTS }, (_, i) =>
        status(svc.import(`https://worker.example.org/${i}`, 'ci')),
      );
      await tick();
      expect(await status(svc.import('https://worker.example.org/one-more', 'ci'))).toBe(503);
      waiting[0]!.release();
      expect(await answers[0]).toBe(500);
      const admitted = status(svc.import('https://worker.example.org/one-more', 'ci'));
      await tick();
      expect(waiting).toHaveLength(MAX_PENDING_IMPORTS + 1);
      for (const w of waiting.slice(1)) w.release();
      expect(await admitted).toBe(500);
    });
  });

  describe('when the application closes', () => {
    it('aborts the imports waiting for their turn (503) and refuses new ones', async () => {
      const { svc, waiting } = service();
      const running = status(svc.import('https://worker.example.org/a', 'ci'));
      const queued = status(svc.import('https://worker.example.org/a', 'ci'));
      await tick();
      const closing = svc.onModuleDestroy();
      expect(await queued).toBe(503);
      waiting[0]!.release();
      await closing;
      expect(await running).toBe(503);
      expect(await status(svc.import('https://worker.example.org/b', 'ci'))).toBe(503);
    });
  });

  it('answers 400 to a URL that is not http(s), before anything starts', async () => {
    const { svc, started } = service();
    expect(await status(svc.import('file:///etc/passwd', 'ci'))).toBe(400);
    expect(started()).toBe(0);
  });
});
