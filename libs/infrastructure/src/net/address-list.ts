import { BlockList, isIP } from 'node:net';

/** One entry of an address list: an IP address, a CIDR block, or (where allowed) a host name. */
export type AddressEntry =
  | { readonly kind: 'address'; readonly address: string; readonly family: 'ipv4' | 'ipv6' }
  | { readonly kind: 'network'; readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' }
  | { readonly kind: 'host'; readonly host: string };

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Parses `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32` or (with `hosts`) `worker.example.org`; null when none. */
export function parseAddressEntry(text: string, options: { readonly hosts: boolean }): AddressEntry | null {
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const address = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const version = isIP(address);
    if (version === 0 || !/^\d{1,3}$/.test(prefixText)) return null;
    const prefix = Number(prefixText);
    if (prefix > (version === 4 ? 32 : 128)) return null;
    return { kind: 'network', address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
  }
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const version = isIP(bare);
  if (version !== 0) return { kind: 'address', address: bare, family: version === 4 ? 'ipv4' : 'ipv6' };
  // A name whose last label is all digits would be read as an IPv4 address by URL parsers.
  if (options.hosts && HOST_NAME.test(text) && !/(^|\.)\d+\.?$/.test(text)) {
    return { kind: 'host', host: text.toLowerCase().replace(/\.$/, '') };
  }
  return null;
}

/**
 * A set of addresses and networks (Node's BlockList: exact CIDR matching for both families,
 * IPv4-mapped IPv6 included) plus host names compared case-insensitively.
 */
export class AddressList {
  private readonly blocks = new BlockList();
  private readonly hosts = new Set<string>();
  readonly size: number;

  constructor(entries: readonly AddressEntry[]) {
    for (const entry of entries) {
      if (entry.kind === 'host') this.hosts.add(entry.host);
      else if (entry.kind === 'address') this.blocks.addAddress(entry.address, entry.family);
      else this.blocks.addSubnet(entry.address, entry.prefix, entry.family);
    }
    this.size = entries.length;
  }

  /** Parses every item; throws naming the first one that is neither an address, a CIDR nor (with `hosts`) a host name. */
  static parse(items: readonly string[], options: { readonly hosts: boolean }): AddressList {
    return new AddressList(
      items.map((item) => {
        const entry = parseAddressEntry(item, options);
        if (entry === null)
          throw new Error(`'${item}' is not an IP address${options.hosts ? ', a host name' : ''} or a CIDR block`);
        return entry;
      }),
    );
  }

  /** True when `address` (an IP) is in one of the listed addresses or networks. */
  hasAddress(address: string): boolean {
    const bare = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const version = isIP(bare);
    if (version === 0) return false;
    return this.blocks.check(bare, version === 4 ? 'ipv4' : 'ipv6');
  }

  /** True when `host` (a name, as written in a URL) is listed by name. */
  hasHost(host: string): boolean {
    return this.hosts.has(host.toLowerCase().replace(/\.$/, ''));
  }
}
