import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { Secret } from '../config/ini/webhooks.section.js';
import { HttpWebhookTransport } from './http-webhook.transport.js';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const message = { id: '0192f3a4-5b6c-7d8e-9f01-23456789abcd', timestamp: new Date(), body: '{"specversion":"1.0"}' };

describe('HttpWebhookTransport', () => {
  let server: Server;
  let port = 0;
  const hits: { path: string; headers: Record<string, string>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const path = request.url ?? '';
        hits.push({ path, headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
        if (path.startsWith('/redirect')) response.writeHead(302, { location: '/ok' }).end();
        else if (path.startsWith('/slow')) setTimeout(() => response.writeHead(204).end(), 3_000);
        else if (path.startsWith('/chatty')) response.writeHead(500).end('secret internals '.repeat(10_000));
        else response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const transport = (path: string, allowedHosts: readonly string[] = ['127.0.0.1'], host = '127.0.0.1') =>
    new HttpWebhookTransport(
      { url: new URL(`http://${host}:${port}${path}`), secret: new Secret(SECRET), timeoutMs: 1_000, allowedHosts },
      async () => [{ address: '127.0.0.1', family: 4 }],
    );

  it('posts a body the receiver verifies with standardwebhooks, and reports the 2xx', async () => {
    expect(await transport('/ok?token=t').send(message)).toEqual({ ok: true, status: 204 });
    const hit = hits.at(-1)!;
    expect(hit.headers['webhook-id']).toBe(message.id);
    expect(() => new Webhook(SECRET).verify(hit.body, hit.headers)).not.toThrow();
    expect(transport('/ok?token=t').endpoint).toBe(`http://127.0.0.1:${port}/ok`);
  });

  it('refuses a loopback receiver that is not listed, before connecting', async () => {
    const before = hits.length;
    const outcome = await transport('/ok', []).send(message);
    expect(outcome).toMatchObject({ ok: false, status: null });
    expect(!outcome.ok && outcome.error).toMatch(/127\.0\.0\.1 refused: 127\.0\.0\.1 is a loopback address/);
    expect(hits.length).toBe(before);
  });

  it('refuses a host name that resolves to loopback unless the name is listed', async () => {
    const refused = await transport('/ok', [], 'hooks.example.org').send(message);
    expect(!refused.ok && refused.error).toMatch(/hooks\.example\.org refused/);
    expect(await transport('/ok', ['hooks.example.org'], 'hooks.example.org').send(message)).toEqual({
      ok: true,
      status: 204,
    });
  });

  it('does not follow a redirect', async () => {
    const before = hits.length;
    expect(await transport('/redirect').send(message)).toEqual({ ok: false, status: 302, error: 'HTTP 302' });
    expect(hits.length).toBe(before + 1);
  });

  it('reports a receiver slower than the timeout as timed out', async () => {
    const outcome = await transport('/slow').send(message);
    expect(outcome).toEqual({ ok: false, status: null, error: 'timed out after 1 s' });
  });

  it("names the status of a failure, never the receiver's answer", async () => {
    const outcome = await transport('/chatty').send(message);
    expect(outcome).toEqual({ ok: false, status: 500, error: 'HTTP 500' });
  });
});
