import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepositories, writeDemoConfig } from '../../apps/cli/src/demo/demo-example.js';
import { runDlrn } from '../support/cli.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const LISTENING = /api: listening on (http:\/\/[^/]+)\//;

function statusOf(url: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `dnf install` of one package from one repository URL into an empty root; the installed file's path. */
async function dnfInstall(root: string, name: string, repoUrl: string, packageName: string): Promise<string> {
  const installroot = join(root, `installroot-${name}`);
  await run(
    'dnf',
    [
      '-y',
      '-q',
      `--installroot=${installroot}`,
      '--releasever=12',
      '--setopt=reposdir=/nonexistent',
      '--setopt=install_weak_deps=False',
      '--setopt=cachedir=' + join(root, `dnf-cache-${name}`),
      `--repofrompath=${name},${repoUrl}`,
      `--repo=${name}`,
      '--nogpgcheck',
      'install',
      packageName,
    ],
    { timeout: 120_000 },
  );
  return installroot;
}

describe('the repositories over HTTP: dlrn api serves <datadir>/repos/, and nginx with the shipped configuration', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-repos-http-'));
  const repos = join(root, 'data', 'repos');
  let configFile: string;
  let api: DlrnProcess;

  beforeAll(async () => {
    const packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
    expect((await runDlrn(['--config-file', configFile, '--info-repo', join(root, 'rdoinfo')])).code).toBe(0);
    api = await startDlrn(['api', '--config-file', configFile, '--port', '0'], LISTENING);
  }, 180_000);
  afterAll(async () => {
    await api?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('/api/ready answers 503 with the lag while the views miss an event of the log', async () => {
    // The pass left the views up to date; a user made since is in the log only (no projector).
    const user = await runDlrn([
      'user',
      'create',
      '--config-file',
      configFile,
      '--username',
      'later',
      '--password',
      'pw-12345',
    ]);
    expect(user.code, user.stderr).toBe(0);
    const response = await fetch(`${api.url}/api/ready`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const body = (await response.json()) as { ready: boolean; head: number; views: number; lag: number };
    expect(body).toMatchObject({ ready: false, lag: 1 });
    expect(body.views).toBe(body.head - 1);
    // The same lag for Prometheus, beside the queue: every discovered commit was built.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/^dlrn_projection_lag_events 1$/m);
    expect(metrics).toMatch(/^dlrn_queue_depth 0$/m);
    expect(metrics).toMatch(/^dlrn_builds_in_progress 0$/m);
    expect(metrics).toMatch(/^dlrn_builds_succeeded_total\{baseurl="[^"]+"\} 3$/m);
  });

  it('/ leads to the status page and /api/ to the API documentation', async () => {
    for (const [path, target] of [
      ['/', '/api/status_report.html'],
      ['/api/', '/api/docs'],
      ['/api', '/api/docs'],
    ]) {
      const response = await fetch(`${api.url}${path}`, { redirect: 'manual' });
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 302, target]);
    }
  });

  it('lists a repository directory, with its repodata, its .repo file and its RPMs', async () => {
    const response = await fetch(`${api.url}/repos/current/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<h1>Index of /repos/current/</h1>');
    expect(html).toContain('href="/repos/current/repodata/"');
    expect(html).toContain('href="/repos/current/delorean.repo"');
    expect(html).toMatch(/href="\/repos\/current\/demo-data-[^"]+\.noarch\.rpm"/);
  });

  it('serves files with their types, ETag and Last-Modified revalidation, and byte ranges', async () => {
    const repo = await fetch(`${api.url}/repos/current/delorean.repo`);
    expect(repo.status).toBe(200);
    expect(repo.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await repo.text()).toBe(readFileSync(join(repos, 'current', 'delorean.repo'), 'utf8'));
    const rpmName = readdirSync(join(repos, 'current')).find((f) => /^demo-data-.*\.noarch\.rpm$/.test(f))!;
    const rpm = await fetch(`${api.url}/repos/current/${rpmName}`);
    expect(rpm.headers.get('content-type')).toBe('application/x-rpm');
    const whole = Buffer.from(await rpm.arrayBuffer());
    expect(whole.subarray(0, 4)).toEqual(Buffer.from([0xed, 0xab, 0xee, 0xdb])); // RPM lead magic
    const etag = rpm.headers.get('etag')!;
    const lastModified = rpm.headers.get('last-modified')!;
    expect(etag).toBeTruthy();
    expect(lastModified).toBeTruthy();
    expect((await fetch(`${api.url}/repos/current/${rpmName}`, { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
    // fetch() would add `Cache-Control: no-cache` to a conditional request (the Fetch standard), which
    // asks for the body whatever the date: ask as dnf and browsers do.
    expect(await statusOf(`${api.url}/repos/current/${rpmName}`, { 'if-modified-since': lastModified })).toBe(304);
    const part = await fetch(`${api.url}/repos/current/${rpmName}`, { headers: { range: 'bytes=4-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-99/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(4, 100));
    const repomd = await fetch(`${api.url}/repos/current/repodata/repomd.xml`);
    expect(repomd.status).toBe(200);
    expect(repomd.headers.get('content-type')).toMatch(/xml/);
  });

  it('follows links only inside repos/: a link out, a dot-dot and an encoded dot-dot answer 404', async () => {
    symlinkSync('/etc', join(repos, 'escape'));
    symlinkSync('/etc/passwd', join(repos, 'passwd'));
    writeFileSync(join(root, 'data', 'secret.txt'), 'not for the web\n');
    for (const path of [
      '/repos/escape/',
      '/repos/escape/passwd',
      '/repos/passwd',
      '/repos/../secret.txt',
      '/repos/%2e%2e/secret.txt',
      '/repos/current/%2e%2e/%2e%2e/secret.txt',
    ]) {
      const response = await fetch(`${api.url}${path}`);
      const body = await response.text();
      expect([path, response.status]).toEqual([path, 404]);
      expect(body).not.toContain('root:');
      expect(body).not.toContain('not for the web');
    }
  });

  it("answers a known path asked with another method 405 with Allow, before authentication, as DLRN's Flask does", async () => {
    for (const [method, path, allow] of [
      ['DELETE', '/api/health', /GET.*POST/],
      ['GET', '/api/report_result', /^POST$/],
      ['PUT', '/api/promote', /^POST$/],
      ['POST', '/repos/current/delorean.repo', /GET/],
    ] as const) {
      const response = await fetch(`${api.url}${path}`, { method });
      expect([method, path, response.status]).toEqual([method, path, 405]);
      expect(response.headers.get('allow')).toMatch(allow);
      expect(((await response.json()) as { message: string }).message).toBe(
        'The method is not allowed for the requested URL.',
      );
    }
    // A path nobody serves is 404 whatever the method, before authentication too (Flask routes first).
    expect((await fetch(`${api.url}/api/no_such_thing`, { method: 'DELETE' })).status).toBe(404);
  });

  it('dnf installs a package from the repository dlrn api serves', async () => {
    const installroot = await dnfInstall(root, 'dlrn-api', `${api.url}/repos/current/`, 'demo-data');
    expect(readFileSync(join(installroot, 'usr/share/demo-data/colors.txt'), 'utf8')).toBe('red\ngreen\nblue\n');
  }, 120_000);

  it('nginx with examples/nginx/dlrn.conf serves the repositories to dnf and hands the API to dlrn api', async () => {
    for (const dir of [root, join(root, 'data'), repos]) chmodSync(dir, 0o755); // nginx's workers are not root
    const port = await freePort();
    const site = readFileSync('examples/nginx/dlrn.conf', 'utf8')
      .replaceAll('/var/lib/dlrn/data', join(root, 'data'))
      .replaceAll('127.0.0.1:8080', api.url.replace(/^http:\/\//, ''))
      .replace('listen 80;', `listen 127.0.0.1:${port};`);
    const prefix = join(root, 'nginx');
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'dlrn.conf'), site);
    writeFileSync(
      join(prefix, 'nginx.conf'),
      `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n  access_log ${prefix}/access.log;\n  include /etc/nginx/mime.types;\n  include ${prefix}/dlrn.conf;\n}\n`,
    );
    const nginx: ChildProcess = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: 'ignore',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await waitFor(async () => {
        const response = await fetch(`${base}/api/health`).catch(() => null);
        return response?.status === 200 ? response : undefined;
      });
      expect(((await health.json()) as { result: string }).result).toBe('ok');
      const repo = await fetch(`${base}/repos/current/delorean.repo`);
      expect(repo.status).toBe(200);
      expect(await repo.text()).toBe(readFileSync(join(repos, 'current', 'delorean.repo'), 'utf8'));
      const installroot = await dnfInstall(root, 'nginx', `${base}/repos/current/`, 'demo-data');
      expect(existsSync(join(installroot, 'usr/share/demo-data/colors.txt'))).toBe(true);
    } finally {
      nginx.kill('SIGTERM');
    }
  }, 120_000);

  it('read protection applies to the repositories as to the API', async () => {
    const protectedConfig = join(root, 'protected.ini');
    writeFileSync(protectedConfig, `${readFileSync(configFile, 'utf8')}\n[service]\nprotect_read_endpoints=true\n`);
    const user = await runDlrn([
      'user',
      '--config-file',
      protectedConfig,
      'create',
      '--username',
      'reader',
      '--password',
      'pw',
    ]);
    expect(user.code).toBe(0);
    // `dlrn api` alone reads the users from the views: bring them up to date once.
    expect((await runDlrn(['projector', '--config-file', protectedConfig, '--once'])).code).toBe(0);
    const guarded = await startDlrn(['api', '--config-file', protectedConfig, '--port', '0'], LISTENING);
    try {
      expect((await fetch(`${guarded.url}/repos/current/delorean.repo`)).status).toBe(401);
      // The projector folded everything: ready, and asked without credentials (load balancers).
      const ready = await fetch(`${guarded.url}/api/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, lag: 0 });
      const auth = `Basic ${Buffer.from('reader:pw').toString('base64')}`;
      expect(
        (await fetch(`${guarded.url}/repos/current/delorean.repo`, { headers: { authorization: auth } })).status,
      ).toBe(200);
    } finally {
      await guarded.stop();
    }
  }, 60_000);
});
