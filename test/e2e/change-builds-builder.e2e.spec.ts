import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const GITLAB_TOKEN = 'e2e-change-gitlab-token-0123';
const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd }).toString().trim();

describe('dlrn builder wakes on a change request and builds it without waiting for the poll', () => {
  const root = mkdtempSync(join(tmpdir(), 'dlrn-change-builder-'));
  let packages: DemoPackage[];
  let builder: DlrnProcess | undefined;
  let api: LiveApi | undefined;

  const events = async (type: string): Promise<RecordedEvent[]> =>
    (await api!.events.readAll({ maxCount: 100_000 })).filter((e) => e.type === type);

  beforeAll(async () => {
    packages = await createDemoRepositories(root, Math.floor(Date.now() / 1000) - 86_400);
    const configFile = await writeDemoConfig(root, packages);
    // A poll a day: whatever is built after the first pass was started by the webhook.
    appendFileSync(
      configFile,
      `\n[service]\npoll_interval=86400\n\n[webhooks]\ngitlab_token=${GITLAB_TOKEN}\n\n[changes]\nenabled=true\n`,
    );
    const infoRepo = join(root, 'rdoinfo');
    builder = await startDlrn(
      ['builder', '--config-file', configFile, '--info-repo', infoRepo],
      /(builder: pass 1 done)/,
      150_000,
    );
    const loadPackages = async () => (await loadConfiguration({ configFile, infoRepo })).packages;
    api = await startLiveApi(loadProjectsIni(configFile), { logLevel: 'silent', loadPackages });
  }, 180_000);

  afterAll(async () => {
    await builder?.stop();
    await api?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a GitLab merge request on the upstream is built by the sleeping builder', async () => {
    const greeting = packages.find((p) => p.project === 'greeting')!;
    git(greeting.upstream, ['checkout', '-q', '-B', 'mr-5', 'master']);
    await commitDemoChange(greeting.upstream, 'Greet merge requests', Math.floor(Date.now() / 1000), () =>
      writeFileSync(join(greeting.upstream, 'greeting.py'), 'print("hello, merge request")\n'),
    );
    const head = git(greeting.upstream, ['rev-parse', 'HEAD']);
    git(greeting.upstream, ['update-ref', 'refs/merge-requests/5/head', head]);
    git(greeting.upstream, ['checkout', '-q', 'master']);
    const body = JSON.stringify({
      object_kind: 'merge_request',
      event_type: 'merge_request',
      user: { username: 'contributor' },
      project: { git_http_url: `file://${greeting.upstream}.git`, path_with_namespace: 'demo/greeting' },
      object_attributes: {
        iid: 5,
        target_branch: 'master',
        source_branch: 'mr-5',
        action: 'open',
        last_commit: { id: head },
      },
    });
    const answer = await fetch(`${api!.base}/api/webhooks/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Merge Request Hook',
        'x-gitlab-token': GITLAB_TOKEN,
        'x-gitlab-event-uuid': 'mr-5-open',
      },
      body,
    });
    expect(answer.status).toBe(202);
    const built = await waitFor(async () => (await events('ChangeBuildSucceeded'))[0], 90_000);
    expect(built.data).toMatchObject({ forge: 'gitlab', change: '5', patchset: 1, package: 'python-greeting' });
    expect(built.metadata.trigger).toBe('webhook');
    expect(existsSync(join(root, 'data', 'repos', 'changes', 'gitlab', '5', '1', 'python-greeting', 'repodata'))).toBe(
      true,
    );
    const started = (await events('ChangeBuildStarted'))[0]!;
    expect(started.data).toMatchObject({ patchset: 1 });
    expect((await events('ChangeBuildRequested'))[0]!.data).toMatchObject({ fetchRef: 'refs/merge-requests/5/head' });
    // The pass that built only the change says so (and refreshed the reports), not "nothing to build".
    const done = await waitFor(
      () =>
        Promise.resolve(
          /builder: pass \d+ done: 0 build\(s\) and 1 change build\(s\)/.exec(builder!.output()) ?? undefined,
        ),
      30_000,
    );
    expect(done).not.toBeNull();
  }, 120_000);
});
