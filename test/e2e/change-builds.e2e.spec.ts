import { execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitDemoChange,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { runDlrn } from '../support/cli.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';

const run = promisify(execFile);
const GITHUB_SECRET = 'e2e-change-github-secret-0123';
const GERRIT_TOKEN = 'e2e-change-gerrit-token-01234';
const STATUS_TOKEN = 'e2e-status-token';
const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');
const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd }).toString().trim();

/** GitHub's documented `pull_request` payload (the parts a receiver reads, and some it does not). */
function githubPullRequest(upstream: string, action: string, number: number, head: string): string {
  const repository = { name: 'greeting', clone_url: `file://${upstream}`, html_url: `file://${upstream}` };
  return JSON.stringify({
    action,
    number,
    pull_request: {
      number,
      state: action === 'closed' ? 'closed' : 'open',
      merged: false,
      title: 'Greet everyone',
      head: { ref: 'feature', sha: head, repo: { clone_url: 'https://github.com/someone/fork.git' } },
      base: { ref: 'master', sha: '0'.repeat(40), repo: repository },
    },
    repository,
    sender: { login: 'contributor' },
  });
}

describe('change builds: a pull request is built into its own repository, current and consistent stay put', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-change-builds-'));
  const repos = join(root, 'data', 'repos');
  let packages: DemoPackage[];
  let configFile: string;
  let api: LiveApi | undefined;
  let pointers: Record<string, string>;
  /** The commit-status receiver on 127.0.0.1: what each POST carried. */
  let statusServer: Server;
  const statuses: { path: string; authorization: string | undefined; body: Record<string, unknown> }[] = [];

  const infoRepo = () => join(root, 'rdoinfo');
  const events = async (type: string): Promise<RecordedEvent[]> =>
    (await api!.events.readAll({ maxCount: 100_000 })).filter((e) => e.type === type);
  const post = (forge: string, body: string, headers: Record<string, string>) =>
    fetch(`${api!.base}/api/webhooks/${forge}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (body: string, delivery: string) => ({
    'x-github-event': 'pull_request',
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${hmac(GITHUB_SECRET, body)}`,
  });
  /** Commits on a side branch of greeting's upstream and points `refs/pull/<n>/head` at it, as GitHub does. */
  const proposeChange = async (number: number, text: string): Promise<string> => {
    const greeting = packages.find((p) => p.project === 'greeting')!;
    git(greeting.upstream, ['checkout', '-q', '-B', `pr-${number}`, 'master']);
    await commitDemoChange(greeting.upstream, `Greet ${text}`, Math.floor(Date.now() / 1000), () =>
      writeFileSync(join(greeting.upstream, 'greeting.py'), `print("hello, ${text}")\n`),
    );
    const head = git(greeting.upstream, ['rev-parse', 'HEAD']);
    git(greeting.upstream, ['update-ref', `refs/pull/${number}/head`, head]);
    git(greeting.upstream, ['checkout', '-q', 'master']);
    return head;
  };
  const pass = async () => {
    const result = await runDlrn(['--config-file', configFile, '--info-repo', infoRepo()]);
    return result;
  };
  const readPointers = () =>
    Object.fromEntries(['current', 'consistent'].map((name) => [name, readlinkSync(join(repos, name))]));

  beforeAll(async () => {
    statusServer = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        statuses.push({
          path: request.url ?? '',
          authorization: request.headers.authorization,
          body: JSON.parse(body) as Record<string, unknown>,
        });
        response.writeHead(201).end('{}');
      });
    });
    await new Promise<void>((resolve) => statusServer.listen(0, '127.0.0.1', resolve));
    const statusPort = (statusServer.address() as { port: number }).port;
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
    appendFileSync(
      configFile,
      `\n[webhooks]\ngithub_secret=${GITHUB_SECRET}\ngerrit_token=${GERRIT_TOKEN}\n\n[changes]\nenabled=true\nbatch_size=1\nkeep_days=0\n` +
        `status_url_template=http://127.0.0.1:${statusPort}/status/{forge}/{project}/{sha}\n` +
        `status_token=${STATUS_TOKEN}\nstatus_allowed_hosts=127.0.0.1\n`,
    );
    const first = await pass();
    expect(first.code, first.stderr).toBe(0);
    pointers = readPointers();
    const loadPackages = async () => (await loadConfiguration({ configFile, infoRepo: infoRepo() })).packages;
    api = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent', loadPackages });
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => statusServer.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  it('a second patch set supersedes the queued first; a replay and a labelled event do nothing', async () => {
    const greeting = packages.find((p) => p.project === 'greeting')!;
    const first = await proposeChange(1, 'contributors');
    const opened = githubPullRequest(greeting.upstream, 'opened', 1, first);
    const answer = await post('github', opened, signed(opened, 'pr-1-a'));
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ status: 'accepted', delivery_id: 'pr-1-a', packages: ['python-greeting'] });
    const replay = await post('github', opened, signed(opened, 'pr-1-a'));
    expect(await replay.json()).toEqual({ status: 'duplicate', delivery_id: 'pr-1-a' });
    const labelled = githubPullRequest(greeting.upstream, 'labeled', 1, first);
    expect(await (await post('github', labelled, signed(labelled, 'pr-1-l'))).json()).toMatchObject({
      status: 'ignored',
    });

    const second = await proposeChange(1, 'every contributor');
    const synchronized = githubPullRequest(greeting.upstream, 'synchronize', 1, second);
    expect((await post('github', synchronized, signed(synchronized, 'pr-1-b'))).status).toBe(202);

    // another pull request, requested after: batch_size=1 leaves it for a later pass
    const other = await proposeChange(2, 'reviewers');
    const opened2 = githubPullRequest(greeting.upstream, 'opened', 2, other);
    expect((await post('github', opened2, signed(opened2, 'pr-2-a'))).status).toBe(202);

    const requested = (await events('ChangeBuildRequested')).filter(
      (e) => (e.data as { change: string }).change === '1',
    );
    expect(
      requested.map((e) => [(e.data as { patchset: number }).patchset, (e.data as { headSha: string }).headSha]),
    ).toEqual([
      [1, first],
      [2, second],
    ]);
    expect(requested[0]!.data).toMatchObject({
      fetchRef: 'refs/pull/1/head',
      repositoryUrl: `file://${greeting.upstream}`,
    });
    expect((await events('ChangeBuildSuperseded')).map((e) => e.data)).toEqual([
      { forge: 'github', change: '1', package: 'python-greeting', side: 'upstream', patchset: 1, byPatchset: 2 },
    ]);
  });

  it('a pass builds the newest patch set into repos/changes/, dnf installs it over consistent, the pointers stay', async () => {
    // what a builder killed mid-build of this patch set would have left
    const leftover = join(repos, 'changes', 'github', '1', '2', '.staging-python-greeting-killed');
    execFileSync('mkdir', ['-p', leftover]);
    const result = await pass();
    expect(existsSync(leftover)).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    const succeeded = await events('ChangeBuildSucceeded');
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]!.data).toMatchObject({
      forge: 'github',
      change: '1',
      patchset: 2,
      repoPath: 'repos/changes/github/1/2/python-greeting',
      repoFile: 'delorean.repo',
    });
    expect(await events('ChangeBuildFailed')).toEqual([]);
    // the superseded patch set was never started; batch_size=1 left pull request 2 queued
    expect(
      (await events('ChangeBuildStarted')).map((e) => [
        (e.data as { change: string }).change,
        (e.data as { patchset: number }).patchset,
      ]),
    ).toEqual([['1', 2]]);

    const dir = join(repos, 'changes', 'github', '1', '2', 'python-greeting');
    expect(existsSync(join(dir, 'repodata', 'repomd.xml'))).toBe(true);
    expect(readdirSync(dir).some((f) => f.endsWith('.noarch.rpm'))).toBe(true);
    const repoFile = readFileSync(join(dir, 'delorean.repo'), 'utf8');
    expect(repoFile).toContain(`baseurl=file://${dir}\n`);
    expect(repoFile).toContain(`baseurl=file://${join(repos, pointers.consistent!)}\n`);
    // nothing of the change reached the pointers, the builds or the status report
    expect(readPointers()).toEqual(pointers);
    expect(readFileSync(join(repos, 'status_report.csv'), 'utf8')).not.toContain(
      (succeeded[0]!.data as { nvr: string }).nvr,
    );
    expect(existsSync(join(repos, 'changes', 'github', '1', '1'))).toBe(false);
    // the change was marked pending, then success with a link to its repository
    const second = git(packages.find((p) => p.project === 'greeting')!.upstream, ['rev-parse', 'refs/pull/1/head']);
    expect(statuses.map((s) => [s.path, s.body.state])).toEqual([
      [`/status/github/greeting/${second}`, 'pending'],
      [`/status/github/greeting/${second}`, 'success'],
    ]);
    expect(statuses[1]).toMatchObject({
      authorization: `Bearer ${STATUS_TOKEN}`,
      body: {
        context: 'dlrn/python-greeting',
        target_url: `file://${join(repos, 'changes/github/1/2/python-greeting')}/`,
      },
    });

    // A CI job installs the proposed package with the .repo file alone.
    const installroot = join(root, 'installroot');
    const reposdir = join(root, 'dnf-repos');
    execFileSync('mkdir', ['-p', reposdir]);
    writeFileSync(join(reposdir, 'change.repo'), repoFile);
    await run(
      'dnf',
      [
        '-y',
        '-q',
        `--installroot=${installroot}`,
        '--releasever=12',
        `--setopt=reposdir=${reposdir}`,
        '--setopt=install_weak_deps=False',
        `--setopt=cachedir=${join(root, 'dnf-cache')}`,
        '--nogpgcheck',
        'install',
        'python-greeting',
        'demo-data',
      ],
      { timeout: 120_000 },
    );
    expect(readFileSync(join(installroot, 'usr/share/greeting/greeting.py'), 'utf8')).toBe(
      'print("hello, every contributor")\n',
    );
    // demo-data came from consistent
    expect(existsSync(join(installroot, 'usr/share/demo-data/colors.txt'))).toBe(true);
  }, 240_000);

  it('GET /api/changes filters by package, forge and state, pages with a cursor; the page links the repository', async () => {
    expect(await api!.caughtUp(20_000)).toBe(true);
    const get = async (query: string) => {
      const answer = await fetch(`${api!.base}/api/changes${query}`);
      expect(answer.status).toBe(200);
      return (await answer.json()) as {
        changes: { change: string; patchset: number; state: string; links: { repo_file: string | null } }[];
        next: string | null;
      };
    };
    const all = await get('?package=python-greeting');
    expect(all.changes.map((c) => [c.change, c.patchset, c.state])).toEqual([
      ['2', 1, 'queued'],
      ['1', 2, 'succeeded'],
      ['1', 1, 'superseded'],
    ]);
    expect(all.changes[1]!.links.repo_file).toBe('/repos/changes/github/1/2/python-greeting/delorean.repo');
    expect((await get('?state=superseded')).changes.map((c) => c.patchset)).toEqual([1]);
    expect((await get('?forge=gitlab')).changes).toEqual([]);
    expect((await get('?package=demo-data')).changes).toEqual([]);
    const firstPage = await get('?limit=2');
    expect(firstPage.changes.map((c) => [c.change, c.patchset])).toEqual([
      ['2', 1],
      ['1', 2],
    ]);
    expect(firstPage.next).not.toBeNull();
    const secondPage = await get(firstPage.next!.replace('/api/changes', ''));
    expect(secondPage.changes.map((c) => [c.change, c.patchset])).toEqual([['1', 1]]);
    expect(secondPage.next).toBeNull();
    expect((await fetch(`${api!.base}/api/changes?state=done`)).status).toBe(400);

    const page = await fetch(`${api!.base}/api/changes.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('href="/repos/changes/github/1/2/python-greeting/delorean.repo"');
  });

  it('closing pull requests cancels their queued builds; a Gerrit dist-git patch set is built from a clone of its own', async () => {
    const greeting = packages.find((p) => p.project === 'greeting')!;
    const third = await proposeChange(1, 'nobody');
    const sync = githubPullRequest(greeting.upstream, 'synchronize', 1, third);
    expect((await post('github', sync, signed(sync, 'pr-1-c'))).status).toBe(202);
    for (const [number, head, delivery] of [
      [1, third, 'pr-1-d'],
      [2, git(greeting.upstream, ['rev-parse', 'refs/pull/2/head']), 'pr-2-b'],
    ] as const) {
      const closed = githubPullRequest(greeting.upstream, 'closed', number, head);
      expect((await post('github', closed, signed(closed, delivery))).status).toBe(202);
    }
    expect((await events('ChangeBuildCancelled')).map((e) => e.data)).toEqual([
      { forge: 'github', change: '1', package: 'python-greeting', side: 'upstream', patchset: 3, reason: 'closed' },
      { forge: 'github', change: '2', package: 'python-greeting', side: 'upstream', patchset: 1, reason: 'closed' },
    ]);

    // A packaging change on demo-data's dist-git, as Gerrit stores it.
    const data = packages.find((p) => p.project === 'demo-data')!;
    git(data.distgit, ['checkout', '-q', '-B', 'review', 'rpm-master']);
    await commitDemoChange(data.distgit, 'Better summary', Math.floor(Date.now() / 1000), () => {
      const spec = join(data.distgit, 'demo-data.spec');
      writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^Summary:.*$/m, 'Summary:        Reviewed demo data'));
    });
    const revision = git(data.distgit, ['rev-parse', 'HEAD']);
    git(data.distgit, ['update-ref', 'refs/changes/11/4711/3', revision]);
    git(data.distgit, ['checkout', '-q', 'rpm-master']);
    const gerrit = JSON.stringify({
      type: 'patchset-created',
      change: { project: data.distgit.slice(1), branch: 'rpm-master', number: 4711, id: 'I0123', status: 'NEW' },
      patchSet: { number: 3, revision, ref: 'refs/changes/11/4711/3' },
      uploader: { name: 'Packager' },
      eventCreatedOn: Math.floor(Date.now() / 1000),
    });
    const answer = await post('gerrit', gerrit, { authorization: `Bearer ${GERRIT_TOKEN}` });
    expect(answer.status).toBe(202);
    const request = (await events('ChangeBuildRequested')).at(-1)!;
    expect(request.data).toMatchObject({
      forge: 'gerrit',
      change: '4711',
      patchset: 3,
      package: 'demo-data',
      side: 'distgit',
      fetchRef: 'refs/changes/11/4711/3',
      repositoryUrl: `file://${data.distgit}`,
    });

    const result = await pass();
    expect(result.code, result.stderr).toBe(0);
    const built = (await events('ChangeBuildSucceeded')).at(-1)!;
    expect(built.data).toMatchObject({
      forge: 'gerrit',
      patchset: 3,
      repoPath: 'repos/changes/gerrit/4711/3/demo-data_distro',
    });
    const dir = join(repos, 'changes', 'gerrit', '4711', '3', 'demo-data_distro');
    expect(statuses.at(-1)!.path).toBe(`/status/gerrit/demo-data/${revision}`);
    expect(statuses.at(-1)!.body).toMatchObject({ labels: { Verified: 1 } });
    const rpm = readdirSync(dir).find((f) => f.endsWith('.noarch.rpm'))!;
    expect(execFileSync('rpm', ['-qp', '--queryformat', '%{SUMMARY}', join(dir, rpm)]).toString()).toBe(
      'Reviewed demo data',
    );
    // the shared dist-git clone still has the followed branch checked out, untouched
    expect(readFileSync(join(root, 'data', 'demo-data_distro', 'demo-data.spec'), 'utf8')).toContain(
      'Summary:        Demo data files',
    );
    expect(readPointers()).toEqual(pointers);
  }, 240_000);

  it('dlrn purge removes the change repositories on their own schedule ([changes] keep_days), recorded', async () => {
    const purge = (args: string[]) => runDlrn(['purge', '--config-file', configFile, '--older-than', '36500', ...args]);
    const dry = await purge(['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would remove change build repos/changes/github/1/2/python-greeting');
    expect(dry.stdout).toContain('would remove change build repos/changes/gerrit/4711/3/demo-data_distro');
    const done = await purge(['-y']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain('and 2 change build(s)');
    expect(existsSync(join(repos, 'changes', 'github', '1', '2', 'python-greeting'))).toBe(false);
    expect(existsSync(join(repos, 'changes', 'gerrit', '4711', '3', 'demo-data_distro'))).toBe(false);
    expect((await events('ChangeBuildPurged')).map((e) => (e.data as { repoPath: string }).repoPath)).toEqual([
      'repos/changes/github/1/2/python-greeting',
      'repos/changes/gerrit/4711/3/demo-data_distro',
    ]);
    expect(readPointers()).toEqual(pointers);
    expect((await purge(['-y'])).stdout).toContain('nothing to purge');
  }, 120_000);
});
