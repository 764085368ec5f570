/**
 * Slows password guessing: after `maxFailures` failed logins from one client within `windowMs`,
 * that client is refused (429) until the window has passed. DLRN has no such limit.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until this client may try again, or 0 when it may try now. */
  retryAfterMs(client: string): number {
    const recent = this.recent(client);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, recent[recent.length - this.maxFailures]! + this.windowMs - this.now());
  }

  recordFailure(client: string): void {
    const recent = this.recent(client);
    recent.push(this.now());
    this.failures.set(client, recent);
    if (this.failures.size > 100_000) this.prune();
  }

  private recent(client: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(client) ?? []).filter((at) => at > since);
  }

  private prune(): void {
    for (const client of [...this.failures.keys()]) {
      if (this.recent(client).length === 0) this.failures.delete(client);
    }
  }
}
