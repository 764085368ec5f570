import { describe, expect, it } from 'vitest';
import { LoginLimiter, clientKey } from './login-limiter.js';

function limiter(limits: ConstructorParameters<typeof LoginLimiter>[0] = {}) {
  let now = 1_000_000;
  const l = new LoginLimiter(limits, () => now);
  return { l, advance: (ms: number) => (now += ms) };
}

describe('login limiter', () => {
  describe('when a client has begun as many attempts for a name as allowed', () => {
    it('refuses the next one before it is checked, until the oldest leaves the window', () => {
      const { l, advance } = limiter({ perUser: 3, windowMs: 60_000 });
      for (let i = 0; i < 3; i++) expect(l.begin('192.0.2.1', 'ci').ok).toBe(true);
      expect(l.begin('192.0.2.1', 'ci')).toEqual({ ok: false, retryAfterMs: 60_000 });
      advance(60_000);
      expect(l.begin('192.0.2.1', 'ci').ok).toBe(true);
    });

    it('lets other clients, and other names of the same client, try', () => {
      const { l } = limiter({ perUser: 3, perClient: 10 });
      for (let i = 0; i < 3; i++) l.begin('192.0.2.1', 'ci');
      expect(l.begin('192.0.2.2', 'ci').ok).toBe(true);
      expect(l.begin('192.0.2.1', 'admin').ok).toBe(true);
    });
  });

  describe('when a client tries many names', () => {
    it('refuses it past the per-client limit', () => {
      const { l } = limiter({ perUser: 3, perClient: 5 });
      for (let i = 0; i < 5; i++) expect(l.begin('192.0.2.1', `name-${i}`).ok).toBe(true);
      expect(l.begin('192.0.2.1', 'name-99').ok).toBe(false);
    });
  });

  describe('when attempts succeed', () => {
    it('no longer counts them, and forgets a client with nothing left', () => {
      const { l } = limiter({ perUser: 2 });
      for (let i = 0; i < 5; i++) {
        const begun = l.begin('192.0.2.1', 'ci');
        if (!begun.ok) throw new Error('refused');
        l.forget('192.0.2.1', begun.attempt);
      }
      expect(l.size).toBe(0);
    });
  });

  describe('when more clients fail than it remembers', () => {
    it('forgets the least recently failing, and never holds more', () => {
      const { l } = limiter({ perUser: 1, maxClients: 100 });
      l.begin('192.0.2.1', 'ci');
      for (let i = 0; i < 1_000; i++) l.begin(`10.0.${i >> 8}.${i & 255}`, 'x'.repeat(12_000));
      expect(l.size).toBe(100);
      expect(l.begin('192.0.2.1', 'ci').ok).toBe(true);
    });
  });

  describe('client keys', () => {
    it('are IPv4 addresses, IPv4-mapped ones included, and IPv6 /64 networks', () => {
      expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
      expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
      expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
      expect(clientKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
      expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
      expect(clientKey('::1')).toBe('0:0:0:0::/64');
      expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
      // '::' standing for one group, with and without an IPv4 tail (two groups).
      expect(clientKey('1::2:3:4:5:6:7')).toBe('1:0:2:3::/64');
      expect(clientKey('1::2:3:4:5:192.0.2.1')).toBe('1:0:2:3::/64');
      // ::ffff: followed by no IPv4 address is an IPv6 address like another.
      expect(clientKey('::ffff:0:1')).toBe('0:0:0:0::/64');
    });
  });
});
