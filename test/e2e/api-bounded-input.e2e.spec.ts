import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlrn } from '../support/cli.js';
import { startDlrn } from '../support/dlrn-process.js';

const LISTENING = /api: listening on (http:\/\/[^/]+)\//;

const BASIC = `Basic ${Buffer.from('ci:secret').toString('base64')}`;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** One HTTP request (node:http: fetch refuses a GET with a body, which DLRN's clients send). */
function send(
  agent: Agent,
  url: URL,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // node:http frames a GET body only when told its length.
    const length = init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) };
    const headers = { ...init.headers, ...length };
    const req = httpRequest(url, { method: init.method ?? 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The resident memory of a process, in MiB (what the kernel charges it, garbage included). */
function rssMiB(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line![1]) / 1024;
}

/** Runs `count` tasks, `width` at a time. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * What a client that writes a whole large body (as curl and most HTTP libraries do) reads back:
 * the raw answer, or the socket error that cut it. The body is written as fast as the server
 * takes it, while its answer may already be coming back.
 */
function sendLargeBody(
  url: URL,
  head: string,
  body: { readonly bytes: number; readonly chunked: boolean },
): Promise<{ answer: string; error: string | null }> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    let error: string | null = null;
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ answer, error }));
    const framing = body.chunked ? 'transfer-encoding: chunked' : `content-length: ${body.bytes}`;
    socket.write(`${head}\r\n${framing}\r\nconnection: close\r\n\r\n`);
    const block = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < body.bytes && !socket.destroyed) {
        const size = Math.min(block.length, body.bytes - sent);
        sent += size;
        const piece = body.chunked
          ? `${size.toString(16)}\r\n${block.subarray(0, size).toString()}\r\n`
          : block.subarray(0, size);
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      if (!socket.destroyed) socket.end(body.chunked ? '0\r\n\r\n' : '');
    };
    socket.on('connect', pump);
  });
}

/**
 * `dlrn api` as a process, attacked as an anonymous client would: memory must stay bounded, bad
 * bodies answer 4xx, the pages carry security headers, early answers are readable, and a
 * cross-site form cannot reach a write.
 */
describe('dlrn api under hostile requests', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-bounded-'));
  let api: { child: ChildProcessWithoutNullStreams; url: URL };
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const get = (path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    send(agent, new URL(path, api.url), init);

  beforeAll(async () => {
    cpSync('test/fixtures/config/seed-flock2017', root, { recursive: true });
    const configFile = join(root, 'projects.ini');
    appendFileSync(configFile, `\n[service]\nevent_store=sqlite:///${join(root, 'events.sqlite')}\n`);
    const create = ['user', '--config-file', configFile, 'create', '--username', 'ci', '--password', 'secret'];
    expect((await runDlrn(create)).code).toBe(0);
    expect((await runDlrn(['projector', '--config-file', configFile, '--once'])).code).toBe(0);
    const started = await startDlrn(
      ['api', '--config-file', configFile, '--port', '0', '--host', '127.0.0.1'],
      LISTENING,
    );
    api = { child: started.child, url: new URL(started.url) };
  }, 120_000);

  afterAll(async () => {
    api?.child.kill('SIGKILL');
    agent.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  describe('when anonymous clients send 500 GETs with distinct 1 MB JSON bodies', () => {
    it('refuses each with 413 naming the GET limit, and its memory stays within 64 MiB of where it was', async () => {
      const routes = ['/api/packages', '/api/builds', '/api/repos/current', '/api/promotions', '/api/failures'];
      const json = { 'content-type': 'application/json' };
      // Warm-up: every route once, so what is measured is growth, not start-up.
      for (const route of routes) await get(route, { body: '{}', headers: json });
      const before = rssMiB(api.child.pid!);
      const statuses = new Map<number, number>();
      let message = '';
      await inParallel(500, 8, async (i) => {
        const body = JSON.stringify({ name: `${i}:${'x'.repeat(1024 * 1024 - 20)}` });
        const answer = await get(routes[i % routes.length]!, { body, headers: json });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 413) message = answer.text;
      });
      const after = rssMiB(api.child.pid!);
      expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`).toBeLessThan(64);
      expect([...statuses]).toEqual([[413, 500]]);
      expect(JSON.parse(message)).toEqual({ message: 'Request body too large: a GET body may hold at most 16 KiB' });
    }, 60_000);
  });

  describe('when anonymous clients ask for 20,000 distinct page and resource URLs', () => {
    it('answers them all, and its memory stays within 128 MiB of where it was', async () => {
      const junk = (i: number) => `${i}-${'j'.repeat(7000)}`;
      const urls = [
        // Unknown parameters: the same page as without them.
        (i: number) => `/api/report.html?utm=${junk(i)}`,
        (i: number) => `/api/status_report.html?x=${junk(i)}`,
        (i: number) => `/api/civotes.html?offset=0&y=${junk(i)}`,
        (i: number) => `/api/failures?z=${junk(i)}`,
        // Distinct valid inputs: distinct answers, each kept until the cache's byte budget is spent.
        (i: number) => `/api/report.html?package=${junk(i)}`,
        (i: number) => `/api/packages?name=${junk(i)}`,
        (i: number) => `/api/builds?package=${junk(i)}`,
        (i: number) => `/api/queue.html?q=${junk(i)}`,
      ];
      for (const url of urls) expect((await get(url(-1))).status).toBe(200);
      const before = rssMiB(api.child.pid!);
      const failures: string[] = [];
      await inParallel(20_000, 16, async (i) => {
        const answer = await get(urls[i % urls.length]!(i));
        if (answer.status !== 200) failures.push(`${answer.status} ${answer.text.slice(0, 200)}`);
      });
      const after = rssMiB(api.child.pid!);
      expect(failures.slice(0, 3)).toEqual([]);
      expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`).toBeLessThan(128);
    }, 120_000);
  });

  describe('when a JSON body nests deeper than any DLRN input', () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const refusal = { message: 'Invalid JSON body: nested deeper than 32 levels' };

    it('answers a 150,000-level GET body with 413 (too large), never 500', async () => {
      for (const route of ['/api/packages', '/api/builds', '/api/repos/current']) {
        const answer = await get(route, { body: nested(150_000), headers: { 'content-type': 'application/json' } });
        expect([route, answer.status]).toEqual([route, 413]);
      }
    });

    it('answers 400 naming the limit to a deep body within the size limits, on GET and POST', async () => {
      for (const route of ['/api/packages', '/api/builds', '/api/repos/current']) {
        const answer = await get(route, { body: nested(2_000), headers: { 'content-type': 'application/json' } });
        expect([route, answer.status, JSON.parse(answer.text)]).toEqual([route, 400, refusal]);
      }
      const post = await send(agent, new URL('/api/report_result', api.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: BASIC },
        body: nested(150_000),
      });
      expect([post.status, JSON.parse(post.text)]).toEqual([400, refusal]);
    });
  });

  describe('the HTML pages', () => {
    it('allow only their own assets, no framing, no sniffing, also when replayed from the answer cache', async () => {
      for (const page of ['/api/status_report.html', '/api/report.html', '/api/civotes.html', '/api/build/x.html']) {
        for (const round of [1, 2]) {
          const answer = await get(page);
          expect([page, round, answer.headers['content-security-policy']]).toEqual([
            page,
            round,
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; base-uri 'none'; " +
              "form-action 'none'; frame-ancestors 'none'",
          ]);
          expect(answer.headers['x-content-type-options']).toBe('nosniff');
        }
      }
      expect((await get('/api/static/sort.js')).headers['x-content-type-options']).toBe('nosniff');
    });
  });

  describe('when a client sends a large body to a route that answers before reading it', () => {
    const status = (answer: string) => /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];

    it('reads the 401 of a write without credentials, 20 times out of 20', async () => {
      for (let i = 0; i < 20; i++) {
        const { answer, error } = await sendLargeBody(
          api.url,
          'POST /api/promote HTTP/1.1\r\nhost: x\r\ncontent-type: application/json',
          { bytes: 8 * 1024 * 1024, chunked: i % 2 === 1 },
        );
        expect([i, status(answer), error]).toEqual([i, '401', null]);
        expect(answer).toMatch(/\r\n\r\nUnauthorized Access$/);
      }
    });

    it('reads the 413 of a body over the POST and GET limits, 20 times out of 20', async () => {
      for (let i = 0; i < 20; i++) {
        const head =
          i % 4 < 2
            ? `POST /api/report_result HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: ${BASIC}`
            : 'GET /api/packages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json';
        const { answer, error } = await sendLargeBody(api.url, head, { bytes: 4 * 1024 * 1024, chunked: i % 2 === 1 });
        expect([i, status(answer), error]).toEqual([i, '413', null]);
        expect(answer).toMatch(/"message":"Request body too large: a (POST|GET) body may hold at most (1 MiB|16 KiB)"/);
      }
    });
  });

  describe('when a page elsewhere posts a form to recheck_package with cached credentials', () => {
    it('answers 415 as every other DLRN write, and reads JSON as before', async () => {
      const post = async (headers: Record<string, string>, body?: string, query = '') => {
        const answer = await send(agent, new URL(`/api/recheck_package${query}`, api.url), {
          method: 'POST',
          headers: { authorization: BASIC, ...headers },
          ...(body === undefined ? {} : { body }),
        });
        return [answer.status, JSON.parse(answer.text) as unknown];
      };
      const unsupported = [415, { message: 'Unsupported Media Type, use JSON' }];
      expect(await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'package_name=nova')).toEqual(
        unsupported,
      );
      expect(await post({ 'content-type': 'multipart/form-data; boundary=b' }, '--b--\r\n')).toEqual(unsupported);
      expect(await post({ 'content-type': 'text/plain' }, '{"package_name":"nova"}')).toEqual(unsupported);
      expect(await post({}, undefined, '?package_name=nova')).toEqual(unsupported);
      const json = await post({ 'content-type': 'application/json' }, '{"package_name":"nova"}');
      expect(json[0]).toBe(400);
      expect(json[1]).toEqual({
        message:
          'Error while rechecking nova. There are no existing commits or the commit to be rechecked is already marked as RETRY.',
      });
    });
  });
});
