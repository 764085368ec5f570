import { describe, expect, it } from 'vitest';
import { trustProxyOption } from './trusted-proxies.js';

describe("Fastify's trustProxy for [service] trusted_proxies", () => {
  describe('when no proxy is listed', () => {
    it('trusts no forwarded header: the TCP peer is the client', () => {
      expect(trustProxyOption([])).toBe(false);
    });
  });

  describe('when proxies are listed by address and CIDR block', () => {
    const trusts = trustProxyOption(['192.0.2.10', '10.0.0.0/8', '2001:db8::/64']);

    it('believes a hop sent by a listed address or one inside a listed block, IPv4 or IPv6', () => {
      expect(trusts).not.toBe(false);
      const trust = trusts as (address: string, hop: number) => boolean;
      expect(trust('192.0.2.10', 0)).toBe(true);
      expect(trust('10.200.3.4', 1)).toBe(true);
      expect(trust('2001:db8::7', 0)).toBe(true);
    });

    it('stops at any other address, whatever the hop', () => {
      const trust = trusts as (address: string, hop: number) => boolean;
      expect(trust('192.0.2.11', 0)).toBe(false);
      expect(trust('11.0.0.1', 2)).toBe(false);
      expect(trust('2001:db8:0:1::7', 0)).toBe(false);
    });
  });

  describe('when an entry is a host name or not an address at all', () => {
    it('refuses it, naming it (a proxy is trusted by address only)', () => {
      expect(() => trustProxyOption(['proxy.example.org'])).toThrow(
        "'proxy.example.org' is not an IP address or a CIDR block",
      );
      expect(() => trustProxyOption(['10.0.0.0/99'])).toThrow("'10.0.0.0/99'");
    });
  });
});
