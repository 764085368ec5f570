import { isIP } from 'node:net';

/** The failed-login limits; `docs/security.md` lists them with their defaults. */
export interface LoginLimits {
  /** Attempts one client may fail for one user name within the window. */
  readonly perUser: number;
  /** Attempts one client may fail for all user names together within the window. */
  readonly perClient: number;
  readonly windowMs: number;
  /** Clients remembered at most; past it the one that failed least recently is forgotten. */
  readonly maxClients: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 10, perClient: 30, windowMs: 60_000, maxClients: 10_000 };

export type Begun =
  { readonly ok: true; readonly attempt: number } | { readonly ok: false; readonly retryAfterMs: number };

/** One client's attempts in the window, oldest first: at most `perClient` of each. */
interface ClientAttempts {
  readonly at: number[];
  /** A 32-bit hash of the user name: collisions only merge names tried by the same client. */
  readonly name: number[];
  readonly id: number[];
}

/**
 * Slows password guessing, per client (DLRN has no such limit). An attempt is counted when it
 * begins, before the password is checked, so a burst of parallel guesses gets no more checks
 * than a sequence; a success un-counts it. A client is refused (429) once it has `perUser`
 * counted attempts for one name, or `perClient` for all names, in the window.
 *
 * The state is bounded whatever clients send: at most `maxClients` clients (least recently
 * failing forgotten first) of at most `perClient` attempts each, three numbers an attempt, user
 * names hashed to 32 bits — with the defaults about 10,000 × (30 × 3 × 8 + ~200) bytes, under
 * 10 MB. A client that can cycle through more than 10,000 addresses evades the limit anyway.
 */
export class LoginLimiter {
  private readonly clients = new Map<string, ClientAttempts>();
  private readonly limits: LoginLimits;
  private nextId = 1;

  constructor(
    limits: Partial<LoginLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Clients remembered now. */
  get size(): number {
    return this.clients.size;
  }

  /** Counts an attempt of `client` for `username`, or says how long until it may try again. */
  begin(client: string, username: string): Begun {
    const key = clientKey(client);
    const attempts = this.clients.get(key) ?? { at: [], name: [], id: [] };
    const now = this.now();
    const since = now - this.limits.windowMs;
    let expired = 0;
    while (expired < attempts.at.length && attempts.at[expired]! <= since) expired++;
    if (expired > 0) {
      attempts.at.splice(0, expired);
      attempts.name.splice(0, expired);
      attempts.id.splice(0, expired);
    }
    const name = nameHash(username);
    const forName = attempts.at.filter((_, i) => attempts.name[i] === name);
    const refusedBy =
      forName.length >= this.limits.perUser
        ? forName[forName.length - this.limits.perUser]
        : attempts.at.length >= this.limits.perClient
          ? attempts.at[attempts.at.length - this.limits.perClient]
          : undefined;
    // Most recently failing last: Map keeps insertion order, so the first key is the one to forget.
    this.clients.delete(key);
    if (refusedBy !== undefined) {
      this.clients.set(key, attempts);
      return { ok: false, retryAfterMs: Math.max(1, refusedBy + this.limits.windowMs - now) };
    }
    const id = this.nextId++;
    attempts.at.push(now);
    attempts.name.push(name);
    attempts.id.push(id);
    this.clients.set(key, attempts);
    if (this.clients.size > this.limits.maxClients) this.clients.delete(this.clients.keys().next().value!);
    return { ok: true, attempt: id };
  }

  /** The attempt succeeded (or was never checked): it no longer counts. */
  forget(client: string, attempt: number): void {
    const key = clientKey(client);
    const attempts = this.clients.get(key);
    if (attempts === undefined) return;
    const at = attempts.id.indexOf(attempt);
    if (at < 0) return;
    attempts.at.splice(at, 1);
    attempts.name.splice(at, 1);
    attempts.id.splice(at, 1);
    if (attempts.at.length === 0) this.clients.delete(key);
  }
}

/** FNV-1a over the first 256 UTF-16 units: longer names cannot exist (DLRN's 255), one bucket is enough. */
function nameHash(username: string): number {
  let hash = 0x811c9dc5;
  const end = Math.min(username.length, 256);
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ username.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * What a client is, for the limits: its IPv4 address, or the /64 network of an IPv6 one (one
 * host usually holds a whole /64, so counting its addresses apart would let it pick a fresh one
 * per guess). IPv4-mapped IPv6 addresses count as IPv4.
 */
export function clientKey(address: string): string {
  const bare = address.replace(/%.*$/, '');
  if (bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4) return bare.slice(7);
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail] = bare.split('::') as [string, string | undefined];
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail fills two groups; it only ever reaches the low 64 bits.
  const backLength = back.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const full =
    tail === undefined ? front : [...front, ...Array<string>(8 - front.length - backLength).fill('0'), ...back];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
