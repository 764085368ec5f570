import { describe, expect, it } from 'vitest';
import { readDelivery } from '../webhooks/forge-push.js';
import { WebhookPayloadError } from '../webhooks/payload-fields.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const sha = 'a'.repeat(40);

/** GitLab's documented `Merge Request Hook` (the parts read, and some not). */
const gitlabMergeRequest = (action: string) => ({
  object_kind: 'merge_request',
  event_type: 'merge_request',
  user: { username: 'dev' },
  project: {
    git_http_url: 'https://gitlab.example.org/org/nova.git',
    git_ssh_url: 'git@gitlab.example.org:org/nova.git',
  },
  object_attributes: {
    iid: 17,
    id: 99001,
    target_branch: 'master',
    source_branch: 'feature',
    state: action === 'merge' ? 'merged' : 'opened',
    action,
    last_commit: { id: sha, message: 'Fix' },
  },
});

/** Gitea's documented `pull_request` webhook. */
const giteaPullRequest = (action: string) => ({
  action,
  number: 5,
  pull_request: { number: 5, merged: false, head: { sha, ref: 'feature' }, base: { ref: 'rpm-master' } },
  repository: { clone_url: 'https://gitea.example.org/rdo/nova-distgit.git' },
});

describe('readDelivery of change events', () => {
  it('reads a GitLab merge request update: iid, target branch, last commit', () => {
    const delivery = readDelivery(
      'gitlab',
      { 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-event-uuid': 'gl-7' },
      json(gitlabMergeRequest('update')),
    );
    expect(delivery).toEqual({
      kind: 'change',
      action: 'update',
      deliveryId: 'gl-7',
      repositoryUrls: ['https://gitlab.example.org/org/nova.git', 'git@gitlab.example.org:org/nova.git'],
      targetBranch: 'master',
      change: '17',
      patchset: null,
      headSha: sha,
    });
  });

  it('reads GitLab merge and close as closing the change; approvals change no code', () => {
    const headers = { 'x-gitlab-event': 'Merge Request Hook' };
    expect(readDelivery('gitlab', headers, json(gitlabMergeRequest('merge')))).toMatchObject({
      action: 'close',
      reason: 'merged',
    });
    expect(readDelivery('gitlab', headers, json(gitlabMergeRequest('close')))).toMatchObject({ reason: 'closed' });
    expect(readDelivery('gitlab', headers, json(gitlabMergeRequest('approved'))).kind).toBe('ignored');
  });

  it("reads Gitea's synchronized (not GitHub's synchronize) and its closed", () => {
    const headers = { 'x-gitea-event': 'pull_request', 'x-gitea-delivery': 'gt-5' };
    expect(readDelivery('gitea', headers, json(giteaPullRequest('synchronized')))).toMatchObject({
      kind: 'change',
      action: 'update',
      change: '5',
      targetBranch: 'rpm-master',
      headSha: sha,
    });
    expect(readDelivery('gitea', headers, json(giteaPullRequest('synchronize'))).kind).toBe('ignored');
    expect(readDelivery('gitea', headers, json(giteaPullRequest('closed')))).toMatchObject({ action: 'close' });
  });

  it('reads a merged GitHub pull request as merged', () => {
    const payload = {
      action: 'closed',
      number: 3,
      pull_request: { number: 3, merged: true, head: { sha }, base: { ref: 'master' } },
      repository: { clone_url: 'https://github.com/org/nova.git' },
    };
    expect(readDelivery('github', { 'x-github-event': 'pull_request' }, json(payload))).toMatchObject({
      action: 'close',
      reason: 'merged',
      change: '3',
    });
  });

  it("reads Gerrit's patchset-created with its patch set number, and change-abandoned as closing", () => {
    const change = { project: 'openstack/nova', branch: 'master', number: 12345 };
    expect(
      readDelivery('gerrit', {}, json({ type: 'patchset-created', change, patchSet: { number: 4, revision: sha } })),
    ).toMatchObject({ action: 'update', project: 'openstack/nova', change: '12345', patchset: 4, headSha: sha });
    expect(readDelivery('gerrit', {}, json({ type: 'change-abandoned', change }))).toMatchObject({
      action: 'close',
      reason: 'closed',
    });
  });

  it('refuses payloads that lack what the forge documents, naming what', () => {
    const bad = [
      () => readDelivery('github', { 'x-github-event': 'pull_request' }, json({ action: 'opened', number: 1 })),
      () =>
        readDelivery(
          'github',
          { 'x-github-event': 'pull_request' },
          json({ action: 'opened', number: '1/../2', pull_request: { base: { ref: 'm' } }, repository: {} }),
        ),
      () =>
        readDelivery(
          'gitlab',
          { 'x-gitlab-event': 'Merge Request Hook' },
          json({
            ...gitlabMergeRequest('open'),
            object_attributes: { ...gitlabMergeRequest('open').object_attributes, last_commit: { id: 'HEAD' } },
          }),
        ),
      () =>
        readDelivery(
          'gerrit',
          {},
          json({ type: 'patchset-created', change: { project: 'p', branch: 'b', number: 1 } }),
        ),
    ];
    const messages = bad.map((read) => {
      try {
        read();
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookPayloadError);
        return (error as Error).message;
      }
    });
    expect(messages).toEqual([
      'body.pull_request: expected an object',
      'body.number: expected a change number',
      'body.object_attributes.last_commit.id: expected a full commit hash',
      'body.patchSet: expected an object',
    ]);
  });
});
