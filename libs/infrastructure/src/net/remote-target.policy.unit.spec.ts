import { describe, expect, it } from 'vitest';
import { RemoteImportError } from '#domain/build/remote-import.error.js';
import {
  ipv6Bytes,
  RemoteTargetPolicy,
  specialPurpose,
  type ResolvedAddress,
  type Resolver,
} from './remote-target.policy.js';

/** Runs the policy's socket lookup as net would, with `all` as Node ≥ 20 asks for it. */
function lookupWith(policy: RemoteTargetPolicy, resolve: Resolver, host: string, all = true) {
  return new Promise<{ error: Error | null; result: unknown }>((done) =>
    policy.lookup(resolve)(host, { all }, (error, address, family) =>
      done({ error, result: all ? address : { address, family } }),
    ),
  );
}

const table =
  (answers: Record<string, readonly ResolvedAddress[]>): Resolver =>
  async (host) =>
    answers[host.toLowerCase().replace(/\.$/, '')] ?? [];

describe('specialPurpose', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (carrier NAT)'],
    ['100.127.255.255', 'shared (carrier NAT)'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', '"this network"'],
    ['0.1.2.3', '"this network"'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback, unspecified or IPv4-compatible'],
    ['::', 'loopback, unspecified or IPv4-compatible'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a00:1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['fc00::1', 'unique local (private)'],
    ['fd12:3456::1', 'unique local (private)'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378::1', 'IETF protocol (Teredo included)'],
    ['2002:7f00:1::1', '6to4'],
  ])('calls %s %s', (address, label) => {
    expect(specialPurpose(address)).toBe(label);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('calls %s public', (address) => {
    expect(specialPurpose(address)).toBeNull();
  });

  it('reads every spelling of an IPv6 address to the same bytes', () => {
    expect([...ipv6Bytes('::ffff:127.0.0.1')!]).toEqual([...ipv6Bytes('0:0:0:0:0:ffff:7f00:0001')!]);
    expect(ipv6Bytes('1.2.3.4')).toBeNull();
  });
});

describe('RemoteTargetPolicy', () => {
  describe('when no host is allowed (empty list)', () => {
    const policy = RemoteTargetPolicy.fromConfig([]);

    it('allows public addresses and refuses loopback literals naming the host', () => {
      expect(policy.refusal('8.8.8.8', '8.8.8.8')).toBeNull();
      expect(() => policy.assertLiteral('127.0.0.1')).toThrow(/host 127\.0\.0\.1 refused: 127\.0\.0\.1 is a loopback/);
      expect(() => policy.assertLiteral('[::1]')).toThrow(RemoteImportError);
      expect(() => policy.assertLiteral('[::ffff:7f00:1]')).toThrow(/loopback/);
      expect(() => policy.assertLiteral('worker.example.org')).not.toThrow();
    });

    it('refuses a name that resolves only to private addresses, after resolution', async () => {
      const { error } = await lookupWith(
        policy,
        table({ 'intranet.example': [{ address: '10.0.0.7', family: 4 }] }),
        'intranet.example',
      );
      expect(error).toBeInstanceOf(RemoteImportError);
      expect((error as RemoteImportError).code).toBe('REMOTE_HOST_REFUSED');
      expect(error?.message).toMatch(/^host intranet\.example refused: 10\.0\.0\.7 is a private address/);
    });

    it('hands the socket only the public addresses of a name that resolves to both', async () => {
      const resolve = table({
        'mixed.example': [
          { address: '127.0.0.1', family: 4 },
          { address: '93.184.215.14', family: 4 },
          { address: 'fd00::1', family: 6 },
        ],
      });
      expect(await lookupWith(policy, resolve, 'mixed.example')).toEqual({
        error: null,
        result: [{ address: '93.184.215.14', family: 4 }],
      });
      expect(await lookupWith(policy, resolve, 'mixed.example', false)).toEqual({
        error: null,
        result: { address: '93.184.215.14', family: 4 },
      });
    });

    it('checks every resolution: a name that rebinds to loopback is refused on that lookup', async () => {
      const answers = [
        [{ address: '93.184.215.14', family: 4 as const }],
        [{ address: '127.0.0.1', family: 4 as const }],
      ];
      let calls = 0;
      const rebinding: Resolver = async () => answers[Math.min(calls++, 1)]!;
      expect((await lookupWith(policy, rebinding, 'rebind.example')).result).toEqual([answers[0]![0]]);
      const second = await lookupWith(policy, rebinding, 'rebind.example');
      expect(second.error?.message).toMatch(/127\.0\.0\.1 is a loopback address/);
      expect(second.result).toEqual([]);
    });

    it('passes resolver errors through', async () => {
      const failing: Resolver = () =>
        Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }));
      expect((await lookupWith(policy, failing, 'x')).error?.message).toMatch(/ENOTFOUND/);
    });
  });

  describe('when hosts are listed', () => {
    const policy = RemoteTargetPolicy.fromConfig(['127.0.0.1', '10.20.0.0/16', 'worker.internal']);

    it('allows the listed addresses and networks, and nothing else, public or not', () => {
      expect(() => policy.assertLiteral('127.0.0.1')).not.toThrow();
      expect(() => policy.assertLiteral('10.20.3.4')).not.toThrow();
      expect(() => policy.assertLiteral('[::ffff:127.0.0.1]')).not.toThrow();
      expect(() => policy.assertLiteral('[::1]')).toThrow(/host ::1 refused: it is not listed/);
      expect(() => policy.assertLiteral('10.21.0.1')).toThrow(/host 10\.21\.0\.1 refused/);
      expect(() => policy.assertLiteral('8.8.8.8')).toThrow(/host 8\.8\.8\.8 refused/);
    });

    it('allows a listed name whatever it resolves to, and other names only into listed networks', async () => {
      const resolve = table({
        'worker.internal': [{ address: '192.168.7.7', family: 4 }],
        'other.internal': [{ address: '192.168.7.8', family: 4 }],
        'b.internal': [{ address: '10.20.9.9', family: 4 }],
      });
      expect((await lookupWith(policy, resolve, 'Worker.Internal.')).error).toBeNull();
      expect((await lookupWith(policy, resolve, 'b.internal')).error).toBeNull();
      expect((await lookupWith(policy, resolve, 'other.internal')).error?.message).toMatch(
        /^host other\.internal refused: neither it nor 192\.168\.7\.8 is listed/,
      );
    });
  });
});
