import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BuildLog } from '../rpm/build-log.js';
import { UrlSourceFetcher, type UrlSourceOptions } from './url-sources.fetcher.js';

/*
 * The fetcher against a local HTTP server: real rpmspec for the host-parsed specs, the
 * in-process expansion for chroot drivers, and every way a download can go wrong.
 */
describe('UrlSourceFetcher', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  let root: string;
  let dir: string;
  let log: BuildLog;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/pkg-extra.tar.gz' || req.url === '/archive/v1.tar.gz') {
        res.end(`content of ${req.url}`);
      } else if (req.url === '/big.tar.gz') {
        res.end(Buffer.alloc(4096, 1));
      } else if (req.url === '/stall.tar.gz') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
      } else {
        res.statusCode = 404;
        res.end('not here');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    root = mkdtempSync(join(tmpdir(), 'dlrn-url-sources-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  beforeEach(() => {
    requests.length = 0;
    dir = join(root, `build-${++n}`);
    mkdirSync(join(dir, 'SOURCES'), { recursive: true });
    mkdirSync(join(dir, 'SPECS'));
    log = BuildLog.open(join(dir, 'rpmbuild.log'));
  });
  afterEach(() => log.close());

  const spec = (sources: string) =>
    `%global extra extra\nName: pkg\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: pkg-1.0.tar.gz\n${sources}\n%description\nd\n%files\n`;

  async function fetchWith(sources: string, options: Partial<UrlSourceOptions> = {}, parseOnHost = true) {
    const specPath = join(dir, 'SPECS', 'pkg.spec');
    writeFileSync(specPath, spec(sources));
    const fetcher = new UrlSourceFetcher({ allowedHosts: ['127.0.0.1'], ...options });
    return fetcher.fetch({
      specPath,
      sourcesDir: join(dir, 'SOURCES'),
      topdir: dir,
      dist: '.el9',
      parseOnHost,
      env: process.env,
      log,
      timeoutMs: 20_000,
    });
  }
  const sources = () => readdirSync(join(dir, 'SOURCES')).sort();
  const logText = () => readFileSync(join(dir, 'rpmbuild.log'), 'utf8');

  describe('when the spec names http URLs that rpmspec expands', () => {
    it('downloads each under the name rpm looks for, the #/ name included', async () => {
      const written = await fetchWith(
        `Source1: ${base}/%{name}-%{extra}.tar.gz\nPatch1: ${base}/archive/v1.tar.gz#/pkg-v1.tar.gz\nSource2: pkg.service`,
      );
      expect(written).toEqual(['pkg-extra.tar.gz', 'pkg-v1.tar.gz']);
      expect(sources()).toEqual(['pkg-extra.tar.gz', 'pkg-v1.tar.gz']);
      expect(readFileSync(join(dir, 'SOURCES', 'pkg-v1.tar.gz'), 'utf8')).toBe('content of /archive/v1.tar.gz');
      expect(requests).toEqual(['/pkg-extra.tar.gz', '/archive/v1.tar.gz']);
      expect(logText()).toContain(`Downloading: ${base}/pkg-extra.tar.gz`);
      expect(logText()).toContain('+ rpmspec -P');
    });

    it('leaves a file the dist-git brought alone, as spectool does', async () => {
      writeFileSync(join(dir, 'SOURCES', 'pkg-extra.tar.gz'), 'from the dist-git');
      expect(await fetchWith(`Source1: ${base}/pkg-extra.tar.gz`)).toEqual([]);
      expect(requests).toEqual([]);
      expect(readFileSync(join(dir, 'SOURCES', 'pkg-extra.tar.gz'), 'utf8')).toBe('from the dist-git');
    });
  });

  describe('when the driver parses the spec in a chroot', () => {
    it("expands the spec's own macros in process, without rpmspec", async () => {
      expect(await fetchWith(`Source1: ${base}/%{name}-%{extra}.tar.gz`, {}, false)).toEqual(['pkg-extra.tar.gz']);
      expect(logText()).not.toContain('rpmspec');
    });

    it('refuses a URL holding a macro only rpm could expand', async () => {
      await expect(fetchWith(`Source1: ${base}/%{python3_sitelib}.tar.gz`, {}, false)).rejects.toThrow(
        'could not be expanded',
      );
      expect(requests).toEqual([]);
    });
  });

  describe('when a download cannot be done', () => {
    it('fails on an HTTP error, naming the tag and the status, and leaves no file', async () => {
      await expect(fetchWith(`Source4: ${base}/missing.tar.gz`)).rejects.toThrow(
        `Source4: GET ${base}/missing.tar.gz: HTTP 404`,
      );
      expect(sources()).toEqual([]);
    });

    it('refuses a loopback host that is not listed, before connecting, naming the key', async () => {
      await expect(fetchWith(`Source1: ${base}/pkg-extra.tar.gz`, { allowedHosts: [] })).rejects.toThrow(
        /Source1: host 127\.0\.0\.1 refused: 127\.0\.0\.1 is a loopback address \(allow it in \[service\] source_download_allowed_hosts\)/,
      );
      expect(requests).toEqual([]);
    });

    it('stops a file larger than the limit and removes what was written', async () => {
      await expect(fetchWith(`Source1: ${base}/big.tar.gz`, { maxBytes: 1000 })).rejects.toThrow(
        '4096 bytes, more than 1000',
      );
      expect(existsSync(join(dir, 'SOURCES', 'big.tar.gz'))).toBe(false);
    });

    it('gives up on a server that stops sending', async () => {
      await expect(fetchWith(`Source1: ${base}/stall.tar.gz`, { idleTimeoutMs: 300 })).rejects.toThrow(
        'no data for 0.3 s',
      );
      expect(existsSync(join(dir, 'SOURCES', 'stall.tar.gz'))).toBe(false);
    });

    it('fails when rpmspec cannot parse the spec, naming it', async () => {
      await expect(fetchWith(`Source1: ${base}/x.tar.gz\n%if\n`)).rejects.toThrow('rpmspec -P exited with code');
      expect(requests).toEqual([]);
    });
  });
});
