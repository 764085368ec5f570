import { describe, expect, it } from 'vitest';
import { AddressList, parseAddressEntry } from './address-list.js';

describe('address lists ([service] trusted_proxies, remote_import_allowed_hosts)', () => {
  describe('when an item is parsed', () => {
    it('reads addresses, CIDR blocks of both families and, where allowed, host names', () => {
      expect(parseAddressEntry('192.0.2.7', { hosts: false })).toEqual({
        kind: 'address',
        address: '192.0.2.7',
        family: 'ipv4',
      });
      expect(parseAddressEntry('[2001:db8::1]', { hosts: false })).toMatchObject({ kind: 'address', family: 'ipv6' });
      expect(parseAddressEntry('10.0.0.0/8', { hosts: false })).toEqual({
        kind: 'network',
        address: '10.0.0.0',
        prefix: 8,
        family: 'ipv4',
      });
      expect(parseAddressEntry('Worker-1.Example.org.', { hosts: true })).toEqual({
        kind: 'host',
        host: 'worker-1.example.org',
      });
    });

    it('refuses prefixes past the family, bad addresses, and host names where only addresses go', () => {
      for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0/8', '300.1.1.1', 'a b', '-bad.example', ''])
        expect(parseAddressEntry(bad, { hosts: true }), bad).toBeNull();
      expect(parseAddressEntry('proxy.example.org', { hosts: false })).toBeNull();
      expect(() => AddressList.parse(['10.0.0.1', 'proxy'], { hosts: false })).toThrow(
        /'proxy' is not an IP address or a CIDR block/,
      );
    });
  });

  describe('when an address is looked up', () => {
    const list = AddressList.parse(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', 'worker.example.org'], { hosts: true });

    it('matches inside a block and the exact address, IPv4-mapped IPv6 included', () => {
      expect(list.hasAddress('10.255.1.2')).toBe(true);
      expect(list.hasAddress('::ffff:10.1.2.3')).toBe(true);
      expect(list.hasAddress('192.0.2.7')).toBe(true);
      expect(list.hasAddress('2001:db8:1::5')).toBe(true);
    });

    it('does not match next to a block, a neighbour address, or anything that is not an address', () => {
      expect(list.hasAddress('11.0.0.1')).toBe(false);
      expect(list.hasAddress('192.0.2.8')).toBe(false);
      expect(list.hasAddress('2001:db9::1')).toBe(false);
      expect(list.hasAddress('worker.example.org')).toBe(false);
    });

    it('matches host names case-insensitively and only by name', () => {
      expect(list.hasHost('WORKER.example.org')).toBe(true);
      expect(list.hasHost('worker.example.org.')).toBe(true);
      expect(list.hasHost('evil-worker.example.org')).toBe(false);
    });
  });
});
