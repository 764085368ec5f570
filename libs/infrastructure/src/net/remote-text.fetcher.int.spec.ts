import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRemoteText, RemoteTextError } from './remote-text.fetcher.js';

const dir = mkdtempSync(join(tmpdir(), 'dlrn-remote-text-'));
const limits = { timeoutMs: 2_000, maxBytes: 64, baseDir: dir };
let server: Server;
let base: string;
const stalled: (() => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/versions.csv') res.end('Project,Source Repo\n');
    else if (req.url === '/moved') res.writeHead(302, { location: '/versions.csv' }).end();
    else if (req.url === '/big') res.end('x'.repeat(65));
    else if (req.url === '/stall') {
      res.write('Project');
      stalled.push(() => res.end());
    } else res.writeHead(404).end('missing');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const end of stalled) end();
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

async function failure(location: string, overrides: Partial<typeof limits> = {}): Promise<string> {
  const error = await fetchRemoteText(location, { ...limits, ...overrides }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RemoteTextError);
  return (error as Error).message;
}

describe('fetching a versions.csv (DLRN fetch_remote_file)', () => {
  it('reads an http URL, following a redirect', async () => {
    expect(await fetchRemoteText(`${base}/moved`, limits)).toBe('Project,Source Repo\n');
  });

  it('reads a file:// URL and a path relative to the config directory', async () => {
    writeFileSync(join(dir, 'v.csv'), 'local\n');
    expect(await fetchRemoteText(pathToFileURL(join(dir, 'v.csv')).href, limits)).toBe('local\n');
    expect(await fetchRemoteText('v.csv', limits)).toBe('local\n');
  });

  it('names the URL and the HTTP status of a missing file', async () => {
    expect(await failure(`${base}/nope`)).toBe(`cannot fetch ${base}/nope: HTTP 404`);
  });

  it('refuses a file larger than the limit, over HTTP and on disk', async () => {
    expect(await failure(`${base}/big`)).toContain('larger than 64');
    writeFileSync(join(dir, 'big.csv'), 'y'.repeat(100));
    expect(await failure('big.csv')).toBe('cannot fetch big.csv: larger than 64 bytes');
  });

  it('gives up on a server that stops sending', async () => {
    expect(await failure(`${base}/stall`, { timeoutMs: 300 })).toBe(
      `cannot fetch ${base}/stall: no complete answer within 0.3 s`,
    );
  });

  it('refuses other schemes, missing files and connection failures, naming the location', async () => {
    expect(await failure('ftp://example.org/v.csv')).toContain('the ftp scheme is not supported');
    expect(await failure('missing.csv')).toBe('cannot fetch missing.csv: no such file');
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const refused = `http://127.0.0.1:${port}/v.csv`;
    expect(await failure(refused)).toBe(`cannot fetch ${refused}: ECONNREFUSED`);
  });
});
