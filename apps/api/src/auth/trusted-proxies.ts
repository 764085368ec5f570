import { AddressList } from '#infrastructure/net/address-list.js';

/**
 * Fastify's `trustProxy` for `[service] trusted_proxies`: `X-Forwarded-For` is walked from the
 * right, each hop believed only while the address that sent it is a listed proxy, so
 * `request.ip` is the first address no trusted proxy vouches for. Empty: the TCP peer is the
 * client and forwarded headers are ignored (a client could write any address there).
 */
export function trustProxyOption(
  trustedProxies: readonly string[],
): false | ((address: string, hop: number) => boolean) {
  if (trustedProxies.length === 0) return false;
  const proxies = AddressList.parse(trustedProxies, { hosts: false });
  return (address) => proxies.hasAddress(address);
}
