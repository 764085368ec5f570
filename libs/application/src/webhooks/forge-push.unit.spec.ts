import { describe, expect, it } from 'vitest';
import { readDelivery } from './forge-push.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const push = {
  ref: 'refs/heads/master',
  after: 'a'.repeat(40),
  repository: { clone_url: 'https://example.org/r.git' },
};

describe('readDelivery', () => {
  it("acknowledges GitHub's ping and other events as ignored", () => {
    const outcome = readDelivery(
      'github',
      { 'x-github-event': 'ping', 'x-github-delivery': 'p-1' },
      json({ zen: 'x' }),
    );
    expect(outcome).toEqual({ kind: 'ignored', deliveryId: 'p-1', reason: "GitHub event 'ping' is not a push" });
  });

  it('ignores a deleted branch (GitHub deleted: true, GitLab and Gerrit all-zero commits)', () => {
    const github = readDelivery('github', { 'x-github-event': 'push' }, json({ ...push, deleted: true }));
    const gitlab = readDelivery(
      'gitlab',
      { 'x-gitlab-event': 'Push Hook' },
      json({ ref: 'refs/heads/x', after: '0'.repeat(40), project: { git_http_url: 'https://example.org/r' } }),
    );
    const gerrit = readDelivery(
      'gerrit',
      {},
      json({ type: 'ref-updated', refUpdate: { project: 'r', refName: 'x', newRev: '0'.repeat(40) } }),
    );
    expect([github.kind, gitlab.kind, gerrit.kind]).toEqual(['ignored', 'ignored', 'ignored']);
  });

  it("reads GitHub's form-encoded payload field", () => {
    const body = Buffer.from(`payload=${encodeURIComponent(JSON.stringify(push))}`);
    const outcome = readDelivery(
      'github',
      { 'x-github-event': 'push', 'x-github-delivery': 'f-1', 'content-type': 'application/x-www-form-urlencoded' },
      body,
    );
    expect(outcome).toMatchObject({
      kind: 'push',
      ref: 'refs/heads/master',
      repositoryUrl: 'https://example.org/r.git',
    });
  });

  it('takes the body digest as the delivery id when the forge sends none', () => {
    const outcome = readDelivery('gitea', { 'x-gitea-event': 'push' }, json(push));
    expect(outcome.deliveryId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a delivery id that is no id, and a push without a repository, naming what', () => {
    expect(() =>
      readDelivery('github', { 'x-github-event': 'push', 'x-github-delivery': '../x y' }, json(push)),
    ).toThrow(/x-github-delivery: not a delivery id/);
    expect(() => readDelivery('github', { 'x-github-event': 'push' }, json({ ref: 'refs/heads/x' }))).toThrow(
      /body.repository: expected an object/,
    );
    expect(() => readDelivery('gitea', { 'x-gitea-event': 'push' }, Buffer.from('not json'))).toThrow(
      /body: not a JSON object/,
    );
  });

  it('records no commit that is not a commit hash', () => {
    const outcome = readDelivery('github', { 'x-github-event': 'push' }, json({ ...push, after: 'HEAD; rm -rf /' }));
    expect(outcome).toMatchObject({ kind: 'push', after: null });
  });
});
