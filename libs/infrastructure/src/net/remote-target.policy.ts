import type { LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AddressList } from './address-list.js';
import { RemoteImportError } from '#domain/build/remote-import.error.js';

/**
 * Special-purpose ranges (IANA's IPv4 and IPv6 special-purpose registries) a server must not be
 * made to reach on a user's behalf: its own loopback, the private networks behind it, cloud
 * metadata (169.254.169.254), carrier NAT, multicast, and addresses that are not real hosts.
 */
const SPECIAL_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const SPECIAL_V6: readonly (readonly [string, number, string])[] = [
  // ::/96 holds :: (unspecified), ::1 (loopback) and the deprecated IPv4-compatible form.
  ['::', 96, 'loopback, unspecified or IPv4-compatible'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol (Teredo included)'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'segment routing'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (private)'],
  ['ff00::', 8, 'multicast'],
];

function rangeList(ranges: readonly (readonly [string, number, string])[], family: 'ipv4' | 'ipv6') {
  return ranges.map(([network, prefix, label]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, label };
  });
}

const V4_RANGES = rangeList(SPECIAL_V4, 'ipv4');
const V6_RANGES = rangeList(SPECIAL_V6, 'ipv6');

/** The 16 bytes of an IPv6 address (any spelling: `::`, a dotted IPv4 tail); null if it is not one. */
export function ipv6Bytes(address: string): Uint8Array | null {
  if (isIP(address) !== 6) return null;
  let text = address.replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const n = parseInt(group, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytes;
}

/** The IPv4 address an IPv6 one stands for (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`). */
function embeddedIpv4(bytes: Uint8Array): string | null {
  const v4 = () => `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4();
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return v4();
  return null;
}

/**
 * Why `address` is not a public unicast address (`"loopback"`, `"private"`, …), or null when it
 * is one. IPv6 forms that carry an IPv4 address are judged by that address, so
 * `::ffff:127.0.0.1` and `::ffff:7f00:1` are loopback, `::ffff:8.8.8.8` is public.
 */
export function specialPurpose(address: string): string | null {
  const version = isIP(address);
  if (version === 4) return V4_RANGES.find((r) => r.list.check(address, 'ipv4'))?.label ?? null;
  const bytes = ipv6Bytes(address);
  if (version !== 6 || bytes === null) return 'not an IP address';
  const v4 = embeddedIpv4(bytes);
  if (v4 !== null) return specialPurpose(v4);
  return V6_RANGES.find((r) => r.list.check(address.replace(/%.*$/, ''), 'ipv6'))?.label ?? null;
}

/** `[::1]` (as URL.hostname writes IPv6) → `::1`. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** One answer of a DNS lookup. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address a host name resolves to (dns.lookup with `all: true`, or a test's table). */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

/**
 * `[service] remote_import_allowed_hosts` applied to every connection a remote import makes.
 * Empty list: any public address, nothing else. A list: only what it names — a host name as
 * written in the URL (whatever it resolves to: the operator vouches for the name), or an
 * address or network the host is, or resolves to. Addresses are checked after DNS resolution
 * and the connection goes to the very address that was checked (the lookup below is the
 * socket's), so a name that resolves differently the second time (DNS rebinding) gains nothing.
 */
export class RemoteTargetPolicy {
  constructor(private readonly allowed: AddressList) {}

  static fromConfig(items: readonly string[]): RemoteTargetPolicy {
    return new RemoteTargetPolicy(AddressList.parse(items, { hosts: true }));
  }

  /** Why connecting to `address` for `host` is refused, or null when it is allowed. */
  refusal(host: string, address: string): string | null {
    if (this.allowed.size === 0) {
      const special = specialPurpose(address);
      return special === null ? null : `${address} is a ${special} address`;
    }
    if (this.allowed.hasHost(host) || this.allowed.hasAddress(address)) return null;
    return host === address ? 'it is not listed' : `neither it nor ${address} is listed`;
  }

  /** Throws REMOTE_HOST_REFUSED when an IP-literal host (not looked up by the socket) is refused. */
  assertLiteral(hostname: string): void {
    const host = bareHost(hostname);
    if (isIP(host) === 0) return;
    const reason = this.refusal(host, host);
    if (reason !== null) throw refused(host, reason);
  }

  /** A socket `lookup` that resolves with `resolve` and hands the socket only allowed addresses. */
  lookup(resolve: Resolver): LookupFunction {
    return (host, options, callback) => {
      resolve(host).then(
        (addresses) => {
          const allowed: LookupAddress[] = addresses
            .filter((a) => this.refusal(host, a.address) === null)
            .map((a) => ({ address: a.address, family: a.family }));
          if (allowed.length === 0) {
            const first = addresses[0];
            callback(
              refused(host, first ? this.refusal(host, first.address)! : 'it does not resolve'),
              options.all ? [] : '',
            );
          } else if (options.all) {
            callback(null, allowed);
          } else {
            callback(null, allowed[0]!.address, allowed[0]!.family);
          }
        },
        (error: Error) => callback(error, options.all ? [] : ''),
      );
    };
  }
}

function refused(host: string, reason: string): RemoteImportError {
  return new RemoteImportError(
    'REMOTE_HOST_REFUSED',
    `host ${host} refused: ${reason} (allow it in [service] remote_import_allowed_hosts)`,
  );
}
