import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectsIni, Secret } from '#infrastructure/config/index.js';
import { ChangeStatusReporter, statusBody } from './change-status.js';

const request = {
  forge: 'gitlab',
  change: '17',
  package: 'nova',
  side: 'upstream',
  patchset: 2,
  repositoryUrl: 'https://gitlab.example.org/org/nova.git',
  fetchRef: 'refs/merge-requests/17/head',
  headSha: 'a'.repeat(40),
  deliveryId: 'd',
  requestedAt: '2026-12-06T01:00:00.000Z',
} as const;

describe('the commit-status callback', () => {
  const received: { url: string; auth: string | undefined; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(received.length === 1 ? 201 : 500).end();
    });
  });
  let port = 0;
  const lines: string[] = [];
  const reporter = (allowed: string[]) =>
    new ChangeStatusReporter(
      {
        urlTemplate: `http://127.0.0.1:${port}/api/v4/projects/{project}/statuses/{sha}?ref={change}`,
        token: new Secret('tok'),
        allowedHosts: allowed,
      },
      (line) => lines.push(line),
    );

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("posts the forge's status body with the token to the expanded URL (values URL-encoded); a failing answer is logged", async () => {
    const r = reporter(['127.0.0.1']);
    await r.report(request, 'org/nova', 'success', { targetUrl: 'https://repos/x/', description: 'built' });
    await r.report(request, 'org/nova', 'failure', { targetUrl: null, description: 'broke' });
    expect(received[0]).toEqual({
      url: `/api/v4/projects/org%2Fnova/statuses/${'a'.repeat(40)}?ref=17`,
      auth: 'Bearer tok',
      body: { state: 'success', name: 'dlrn/nova', description: 'built', target_url: 'https://repos/x/' },
    });
    expect(received[1]!.body).toMatchObject({ state: 'failed' });
    expect(lines).toEqual([
      `change status failure to http://127.0.0.1:${port}/api/v4/projects/org%2Fnova/statuses/${'a'.repeat(40)}: HTTP 500`,
    ]);
  });

  it('refuses a loopback receiver that [changes] status_allowed_hosts does not list, and sends nothing', async () => {
    const before = received.length;
    lines.length = 0;
    await reporter([]).report(request, 'org/nova', 'pending', { targetUrl: null, description: 'building' });
    expect(received.length).toBe(before);
    expect(lines[0]).toMatch(
      /not sent: 127\.0\.0\.1 refused: 127\.0\.0\.1 is a loopback address \(allow it in \[changes\] status_allowed_hosts\)$/,
    );
  });

  it('shapes GitHub/Gitea and Gerrit bodies', () => {
    expect(
      statusBody({ ...request, forge: 'github' }, 'pending', { targetUrl: null, description: 'building' }),
    ).toEqual({
      state: 'pending',
      context: 'dlrn/nova',
      description: 'building',
    });
    expect(statusBody({ ...request, forge: 'gerrit' }, 'failure', { targetUrl: 'u', description: 'broke' })).toEqual({
      message: 'dlrn/nova patch set 2: failure: broke u',
      labels: { Verified: -1 },
    });
  });

  describe('configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrn-change-status-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = (changes: string) => {
      const file = join(dir, 'projects.ini');
      writeFileSync(
        file,
        `[DEFAULT]\ndatadir=./data\nbaseurl=http://repos.example/\nbuild_driver=rpmbuild\n\n[changes]\n${changes}`,
      );
      return () => loadProjectsIni(file);
    };

    it('refuses unknown placeholders, a missing token, and an unlisted loopback address, naming the key', () => {
      expect(load('status_url_template=https://x.example/{sha}/{nope}\nstatus_token=t\n')).toThrow(
        /\[changes\] status_url_template.*unknown placeholder \{nope\}/s,
      );
      expect(load('status_url_template=https://x.example/{sha}\n')).toThrow(/status_token.*is required/s);
      expect(load('status_url_template=http://127.0.0.1/{sha}\nstatus_token=t\n')).toThrow(
        /status_url_template.*127\.0\.0\.1 refused/s,
      );
      expect(load('status_token=t\n')).toThrow(/status_token.*status_url_template is not/s);
    });

    it('keeps the token secret and defaults to enabled=false, batch_size=5, keep_days=7', () => {
      const config = load('status_url_template=https://x.example/{sha}\nstatus_token=t0ken\n')();
      expect(config.changes).toMatchObject({ enabled: false, batchSize: 5, keepDays: 7 });
      expect(JSON.stringify(config.changes)).not.toContain('t0ken');
    });
  });
});
