import type { DomainEvent } from '../shared/event.js';

/** The forges whose push webhooks `POST /api/webhooks/{forge}` takes. */
export const FORGES = ['github', 'gitlab', 'gitea', 'gerrit'] as const;
export type Forge = (typeof FORGES)[number];

export function isForge(name: string): name is Forge {
  return (FORGES as readonly string[]).includes(name);
}

/**
 * A forge told us, with a valid signature, that a branch some packages follow moved (issue 18,
 * item 1). Builders wake on it and refresh those packages at once instead of waiting for
 * `poll_interval`. One stream per delivery, `webhookdelivery-<forge>_<deliveryId>`, written with
 * expected revision "no stream": a delivery replayed (by the forge, or to another replica) is
 * recorded once, across restarts and replicas. Pushes no package follows are not recorded.
 */
export type PushReceived = DomainEvent<
  'PushReceived',
  {
    readonly forge: Forge;
    /** The forge's delivery id (GitHub/Gitea/GitLab header), or the body's SHA-256 when none is sent. */
    readonly deliveryId: string;
    /** The repository URL as the payload named it (the clone URL when there is one). */
    readonly repositoryUrl: string;
    /** The ref as the payload named it: `refs/heads/master`. */
    readonly ref: string;
    /** The commit the ref moved to, as the payload said (not checked against git). */
    readonly after: string | null;
    /** Packages whose `upstream` or `master-distgit` is that repository and follow that branch, sorted. */
    readonly packages: readonly string[];
  }
>;

export type WebhookEvent = PushReceived;

/** The stream a delivery is recorded in; its id part is validated by the caller (`isDeliveryId`). */
export function webhookDeliveryStreamId(forge: Forge, deliveryId: string): string {
  return `webhookdelivery-${forge}_${deliveryId}`;
}

/** A delivery id we record as sent: a UUID, a hex digest, at most 100 safe characters. */
export function isDeliveryId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(id);
}
