import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostileWorker } from '../../../../test/support/hostile-worker.js';
import { downloadText, type DownloadLimits } from './http-download.js';
import { RemoteTargetPolicy, type Resolver } from './remote-target.policy.js';

/**
 * The policy on real sockets: names that exist only in the test's resolver show that the
 * connection uses the policy's lookup (the system resolver knows none of them), and a refused
 * name is never connected to (the worker sees no request). Every address is 127.0.0.1.
 */
describe('downloads through the remote target policy (real HTTP on 127.0.0.1)', () => {
  let worker: HostileWorker;
  let port: string;
  const resolve: Resolver = async (host) =>
    host.endsWith('.test') ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(new Error(`ENOTFOUND ${host}`));
  const limits = (allowed: string[]): DownloadLimits => ({
    idleTimeoutMs: 5000,
    maxBytes: 1024,
    policy: RemoteTargetPolicy.fromConfig(allowed),
    resolve,
  });

  beforeAll(async () => {
    worker = await new HostileWorker().start();
    port = new URL(worker.url).port;
    worker.route('/ok', { kind: 'file', body: 'fine' });
    worker.route('/to-name', { kind: 'redirect', location: `http://loopback.test:${port}/ok` });
    worker.route('/cut', { kind: 'close-delimited', body: Buffer.from('partial') });
  });
  afterAll(() => worker.stop());

  describe('when the allow-list names the address a name resolves to', () => {
    it('connects to the address the policy checked', async () => {
      expect(await downloadText(new URL(`http://worker.test:${port}/ok`), limits(['127.0.0.1']))).toBe('fine');
    });
  });

  describe('when the allow-list names the host only', () => {
    it('connects whatever the name resolves to', async () => {
      expect(await downloadText(new URL(`http://worker.test:${port}/ok`), limits(['worker.test']))).toBe('fine');
    });

    it('refuses a redirect to another name that resolves to loopback, before connecting', async () => {
      const before = worker.hits('/ok').length;
      await expect(
        downloadText(new URL(`http://worker.test:${port}/to-name`), limits(['worker.test'])),
      ).rejects.toMatchObject({
        code: 'REMOTE_HOST_REFUSED',
        message: expect.stringMatching(/^host loopback\.test refused: neither it nor 127\.0\.0\.1 is listed/),
      });
      expect(worker.hits('/ok').length).toBe(before);
    });
  });

  describe('when nothing is allowed (public addresses only)', () => {
    it('refuses a name resolving to loopback after DNS, and never connects', async () => {
      const before = worker.requests.length;
      await expect(downloadText(new URL(`http://sneaky.test:${port}/ok`), limits([]))).rejects.toMatchObject({
        code: 'REMOTE_HOST_REFUSED',
        message: expect.stringMatching(/^host sneaky\.test refused: 127\.0\.0\.1 is a loopback address/),
      });
      expect(worker.requests.length).toBe(before);
    });
  });

  describe('when a body without Content-Length ends early', () => {
    it('is read as whole: what it should be is for the caller to check (RPMs are verified)', async () => {
      expect(await downloadText(new URL(`http://worker.test:${port}/cut`), limits(['127.0.0.1']))).toBe('partial');
    });
  });

  describe('when the import is aborted mid-download', () => {
    it('fails at once with the abort reason', async () => {
      worker.route('/drip', { kind: 'drip', body: Buffer.alloc(100), everyMs: 1000 });
      const controller = new AbortController();
      const download = downloadText(new URL(`http://worker.test:${port}/drip`), {
        ...limits(['127.0.0.1']),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('stopping')), 300);
      // The drip never ends by itself: rejecting with the abort's reason is the point.
      await expect(download).rejects.toThrow(/stopping/);
    });
  });
});
