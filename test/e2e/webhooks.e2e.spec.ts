import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitDemoChange,
  createDemoRepositories,
  writeDemoConfig,
  type DemoPackage,
} from '../../apps/cli/src/demo/demo-example.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { loadConfiguration, loadProjectsIni } from '#infrastructure/config/index.js';
import { startDlrn, type DlrnProcess } from '../support/dlrn-process.js';
import { startLiveApi, type LiveApi } from '../support/live-api.js';
import { waitFor } from '../support/wait-for.js';

const GITHUB_SECRET = 'e2e-github-secret-0123456789';
const GITLAB_TOKEN = 'e2e-gitlab-token-0123456789';
const GITEA_SECRET = 'e2e-gitea-secret-0123456789';
const GERRIT_TOKEN = 'e2e-gerrit-token-0123456789';

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** GitHub's documented `push` payload (the parts a receiver reads, and some it does not). */
function githubPush(upstream: string, ref: string, after: string): string {
  return JSON.stringify({
    ref,
    before: '0'.repeat(39) + '1',
    after,
    created: false,
    deleted: false,
    repository: { name: 'greeting', clone_url: `file://${upstream}/`, html_url: `file://${upstream}` },
    pusher: { name: 'upstream' },
    head_commit: { id: after, message: 'Greet the whole world' },
    commits: [{ id: after }],
  });
}

describe('push webhooks in: a push builds the new commit without waiting for the poll', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-webhooks-'));
  let packages: DemoPackage[];
  let builder: DlrnProcess | undefined;
  let api: LiveApi | undefined;
  let configFile: string;

  const events = async (type: string): Promise<RecordedEvent[]> =>
    (await api!.events.readAll({ maxCount: 100_000 })).filter((e) => e.type === type);
  const post = (forge: string, body: string, headers: Record<string, string>) =>
    fetch(`${api!.base}/api/webhooks/${forge}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signedGithub = (body: string, delivery: string) => ({
    'x-github-event': 'push',
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${hmac(GITHUB_SECRET, body)}`,
  });

  beforeAll(async () => {
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    configFile = await writeDemoConfig(root, packages);
    // A poll a day: whatever is built after the first pass was started by a webhook.
    appendFileSync(
      configFile,
      `\n[service]\npoll_interval=86400\n\n[webhooks]\ngithub_secret=${GITHUB_SECRET}\n` +
        `gitlab_token=${GITLAB_TOKEN}\ngitea_secret=${GITEA_SECRET}\ngerrit_token=${GERRIT_TOKEN}\n`,
    );
    const infoRepo = join(root, 'rdoinfo');
    builder = await startDlrn(
      ['builder', '--config-file', configFile, '--info-repo', infoRepo],
      /(builder: pass 1 done)/,
      120_000,
    );
    const loadPackages = async () => (await loadConfiguration({ configFile, infoRepo })).packages;
    api = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent', loadPackages });
  }, 150_000);

  afterAll(async () => {
    await builder?.stop();
    await api?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a wrongly signed push gets 401 and nothing is recorded; an unknown forge too', async () => {
    const greeting = packages.find((p) => p.project === 'greeting')!;
    const body = githubPush(greeting.upstream, 'refs/heads/master', 'a'.repeat(40));
    const wrong = await post('github', body, {
      ...signedGithub(body, 'bad-1'),
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBeNull();
    const unsigned = await post('github', body, { 'x-github-event': 'push', 'x-github-delivery': 'bad-2' });
    expect(unsigned.status).toBe(401);
    expect((await post('bitbucket', body, signedGithub(body, 'bad-3'))).status).toBe(401);
    expect(await events('PushReceived')).toEqual([]);
  });

  it('the routes keep the 404/405 rules and ignore Basic credentials', async () => {
    expect((await fetch(`${api!.base}/api/webhooks/github`)).status).toBe(405);
    expect((await fetch(`${api!.base}/api/webhooks`, { method: 'POST' })).status).toBe(404);
    const greeting = packages.find((p) => p.project === 'greeting')!;
    const body = githubPush(greeting.upstream, 'refs/heads/master', 'a'.repeat(40));
    const withBasic = await post('github', body, {
      ...signedGithub(body, 'bad-4'),
      'x-hub-signature-256': 'sha256=00',
      authorization: `Basic ${Buffer.from('nobody:wrong').toString('base64')}`,
    });
    // the signature decides, not the (bad) Basic credentials
    expect(withBasic.status).toBe(401);
    expect(await withBasic.json()).toEqual({ message: 'Unauthorized: invalid webhook signature' });
  });

  it('a valid GitHub push starts the build of the new commit; a replay and an unfollowed branch do nothing', async () => {
    const greeting = packages.find((p) => p.project === 'greeting')!;
    await commitDemoChange(greeting.upstream, 'Greet the whole world', Math.floor(Date.now() / 1000), () =>
      writeFileSync(join(greeting.upstream, 'greeting.py'), 'print("hello, world")\n'),
    );
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: greeting.upstream }).toString().trim();
    const body = githubPush(greeting.upstream, 'refs/heads/master', head);
    const answer = await post('github', body, signedGithub(body, 'delivery-1'));
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({
      status: 'accepted',
      delivery_id: 'delivery-1',
      packages: ['python-greeting'],
    });

    const started = await waitFor(async () => {
      const discovered = (await events('CommitDiscovered')).find(
        (e) => (e.data as { commitHash: string }).commitHash === head,
      );
      if (discovered === undefined) return undefined;
      return (await events('BuildStarted')).find((e) => e.streamId === discovered.streamId);
    }, 60_000);
    expect(started.metadata.trigger).toBe('webhook');

    const replay = await post('github', body, signedGithub(body, 'delivery-1'));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ status: 'duplicate', delivery_id: 'delivery-1' });

    const feature = githubPush(greeting.upstream, 'refs/heads/feature', head);
    const ignored = await post('github', feature, signedGithub(feature, 'delivery-2'));
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toMatchObject({ status: 'ignored', delivery_id: 'delivery-2' });
    // GitHub's other content type: the JSON in a form field, signed as sent
    const form = `payload=${encodeURIComponent(feature)}`;
    const asForm = await fetch(`${api!.base}/api/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedGithub(form, 'delivery-3') },
      body: form,
    });
    expect(await asForm.json()).toMatchObject({ status: 'ignored', delivery_id: 'delivery-3' });
    expect((await events('PushReceived')).map((e) => (e.data as { deliveryId: string }).deliveryId)).toEqual([
      'delivery-1',
    ]);
  }, 90_000);

  it('GitLab, Gitea and Gerrit pushes of a dist-git branch are recorded and wake the builder', async () => {
    const data = packages.find((p) => p.project === 'demo-data')!;
    const gitlab = JSON.stringify({
      object_kind: 'push',
      ref: 'refs/heads/rpm-master',
      after: 'b'.repeat(40),
      project: { git_http_url: `file://${data.distgit}.git`, path_with_namespace: 'demo/demo-data-distgit' },
      commits: [],
    });
    const gitea = JSON.stringify({
      ref: 'refs/heads/rpm-master',
      after: 'c'.repeat(40),
      repository: { clone_url: `file://${data.distgit}` },
    });
    const gerrit = JSON.stringify({
      type: 'ref-updated',
      refUpdate: {
        oldRev: 'd'.repeat(40),
        newRev: 'e'.repeat(40),
        refName: 'rpm-master',
        project: data.distgit.slice(1),
      },
      eventCreatedOn: Math.floor(Date.now() / 1000),
    });
    const answers = [
      await post('gitlab', gitlab, {
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': GITLAB_TOKEN,
        'x-gitlab-event-uuid': 'gl-1',
      }),
      await post('gitea', gitea, {
        'x-gitea-event': 'push',
        'x-gitea-delivery': 'gt-1',
        'x-gitea-signature': hmac(GITEA_SECRET, gitea),
      }),
      await post('gerrit', gerrit, { authorization: `Bearer ${GERRIT_TOKEN}` }),
    ];
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    for (const a of answers) expect(await a.json()).toMatchObject({ packages: ['demo-data'] });
    // the builder says it woke for them (its full pass is a day away)
    await waitFor(async () => (/woken by a push: demo-data/.test(builder!.output()) ? true : undefined), 60_000);
  }, 90_000);

  it('OpenAPI documents the webhook route', async () => {
    const doc = (await (await fetch(`${api!.base}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const route = doc.paths['/api/webhooks/{forge}']?.post;
    expect(route).toBeDefined();
    expect(Object.keys(route!.responses).sort()).toEqual(['200', '202', '400', '401', '413', '503']);
  });
});
