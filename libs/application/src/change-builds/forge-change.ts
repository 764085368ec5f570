import { isChangeNumber } from '#domain/change/change.events.js';
import type { Forge } from '#domain/webhook/webhook.events.js';
import { COMMIT, objectAt, stringAt, urlsOf, WebhookPayloadError, type Json } from '../webhooks/payload-fields.js';

/** A change event, once read: a new head to build, or the change closed. */
export type ChangeDelivery =
  | {
      readonly kind: 'change';
      readonly action: 'update';
      readonly deliveryId: string;
      readonly repositoryUrls: readonly string[];
      /** Gerrit: the project path (its events name no URL). */
      readonly project?: string;
      readonly targetBranch: string;
      readonly change: string;
      /** Gerrit's patch set number; null for the forges that number none. */
      readonly patchset: number | null;
      readonly headSha: string;
    }
  | {
      readonly kind: 'change';
      readonly action: 'close';
      readonly deliveryId: string;
      readonly repositoryUrls: readonly string[];
      readonly project?: string;
      readonly targetBranch: string;
      readonly change: string;
      readonly reason: 'closed' | 'merged';
    };

function numberAt(object: Json, key: string, where: string): string {
  const value = object[key];
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  if (!isChangeNumber(text)) throw new WebhookPayloadError(`${where}.${key}: expected a change number`);
  return text;
}

function shaAt(object: Json, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string' || !COMMIT.test(value))
    throw new WebhookPayloadError(`${where}.${key}: expected a full commit hash`);
  return value;
}

type Ignored = { readonly kind: 'ignored'; readonly deliveryId: string; readonly reason: string };

/** GitHub `pull_request` and Gitea `pull_request` (Gitea copied GitHub's shape, `synchronized` for `synchronize`). */
function githubLike(forge: 'github' | 'gitea', payload: Json, deliveryId: string): ChangeDelivery | Ignored {
  const action = typeof payload.action === 'string' ? payload.action.slice(0, 64) : '';
  const pr = objectAt(payload.pull_request, 'body.pull_request');
  const change = numberAt(payload.number === undefined ? pr : payload, 'number', 'body');
  const base = objectAt(pr.base, 'body.pull_request.base');
  const targetBranch = stringAt(base, 'ref', 'body.pull_request.base');
  const repository = objectAt(payload.repository ?? base.repo, 'body.repository');
  const repositoryUrls = urlsOf(repository, ['clone_url', 'ssh_url', 'git_url', 'html_url', 'url']);
  if (repositoryUrls.length === 0) throw new WebhookPayloadError('body.repository: no clone_url, ssh_url or html_url');
  const common = { kind: 'change', deliveryId, repositoryUrls, targetBranch, change } as const;
  const updates = forge === 'github' ? ['opened', 'synchronize', 'reopened'] : ['opened', 'synchronized', 'reopened'];
  if (updates.includes(action)) {
    const head = objectAt(pr.head, 'body.pull_request.head');
    return { ...common, action: 'update', patchset: null, headSha: shaAt(head, 'sha', 'body.pull_request.head') };
  }
  if (action === 'closed') return { ...common, action: 'close', reason: pr.merged === true ? 'merged' : 'closed' };
  return { kind: 'ignored', deliveryId, reason: `pull request action '${action}' changes no code` };
}

/** GitLab `Merge Request Hook`: `object_attributes.action` open/update/reopen, close, merge. */
function gitlab(payload: Json, deliveryId: string): ChangeDelivery | Ignored {
  const attributes = objectAt(payload.object_attributes, 'body.object_attributes');
  const action = typeof attributes.action === 'string' ? attributes.action.slice(0, 64) : '';
  const change = numberAt(attributes, 'iid', 'body.object_attributes');
  const targetBranch = stringAt(attributes, 'target_branch', 'body.object_attributes');
  const project = payload.project === undefined ? {} : objectAt(payload.project, 'body.project');
  const repository = payload.repository === undefined ? {} : objectAt(payload.repository, 'body.repository');
  const repositoryUrls = [
    ...urlsOf(project, ['git_http_url', 'git_ssh_url', 'http_url', 'ssh_url', 'web_url']),
    ...urlsOf(repository, ['git_http_url', 'git_ssh_url', 'url', 'homepage']),
  ];
  if (repositoryUrls.length === 0)
    throw new WebhookPayloadError('body.project: no git_http_url, git_ssh_url or web_url');
  const common = { kind: 'change', deliveryId, repositoryUrls, targetBranch, change } as const;
  if (['open', 'update', 'reopen'].includes(action)) {
    const last = objectAt(attributes.last_commit, 'body.object_attributes.last_commit');
    return {
      ...common,
      action: 'update',
      patchset: null,
      headSha: shaAt(last, 'id', 'body.object_attributes.last_commit'),
    };
  }
  if (action === 'close' || action === 'merge')
    return { ...common, action: 'close', reason: action === 'merge' ? 'merged' : 'closed' };
  return { kind: 'ignored', deliveryId, reason: `merge request action '${action}' changes no code` };
}

/** Gerrit stream events: `patchset-created`, `change-abandoned`, `change-merged`. */
function gerrit(type: string, payload: Json, deliveryId: string): ChangeDelivery | Ignored {
  const changeInfo = objectAt(payload.change, 'body.change');
  const project = stringAt(changeInfo, 'project', 'body.change');
  const targetBranch = stringAt(changeInfo, 'branch', 'body.change');
  const change = numberAt(changeInfo, 'number', 'body.change');
  const common = { kind: 'change', deliveryId, repositoryUrls: [], project, targetBranch, change } as const;
  if (type === 'patchset-created') {
    const patchSet = objectAt(payload.patchSet, 'body.patchSet');
    const patchset = Number(numberAt(patchSet, 'number', 'body.patchSet'));
    return { ...common, action: 'update', patchset, headSha: shaAt(patchSet, 'revision', 'body.patchSet') };
  }
  return { ...common, action: 'close', reason: type === 'change-merged' ? 'merged' : 'closed' };
}

/** The event names (header or Gerrit `type`) that are change events, per forge. */
export function isChangeEvent(forge: Forge, event: string): boolean {
  switch (forge) {
    case 'github':
    case 'gitea':
      return event === 'pull_request';
    case 'gitlab':
      return event === 'Merge Request Hook';
    case 'gerrit':
      return ['patchset-created', 'change-abandoned', 'change-merged'].includes(event);
  }
}

/**
 * Reads a signed change event (`isChangeEvent`): what head to build or which change closed.
 * Throws WebhookPayloadError when it lacks what the forge documents; actions that change no
 * code (labels, review comments, edits) are ignored.
 */
export function readChangeDelivery(
  forge: Forge,
  event: string,
  payload: Json,
  deliveryId: string,
): ChangeDelivery | Ignored {
  switch (forge) {
    case 'github':
    case 'gitea':
      return githubLike(forge, payload, deliveryId);
    case 'gitlab':
      return gitlab(payload, deliveryId);
    case 'gerrit':
      return gerrit(event, payload, deliveryId);
  }
}
