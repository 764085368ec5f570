import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { bareHost, RemoteTargetPolicy, type Resolver } from '../net/remote-target.policy.js';

/** What is read of an answer at most: only its status matters; the rest is drained and dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

class RefusedTarget extends Error {}

/**
 * POSTs under the outgoing-address rules (the outgoing webhook, commit statuses): an IP-literal
 * host is checked as written, a name after DNS, and the socket connects to the very address
 * checked; no redirect is followed. Answers the HTTP status; throws an Error whose message names
 * what happened at the transport (never what the receiver sent). `allowKey` names the option that
 * would allow a refused address, for the message.
 */
export class GuardedPoster {
  private readonly policy: RemoteTargetPolicy;

  constructor(
    allowedHosts: readonly string[],
    private readonly allowKey: string,
    private readonly timeoutMs = 10_000,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.policy = RemoteTargetPolicy.fromConfig(allowedHosts);
  }

  /** `body` as JSON (`content-type: application/json`). */
  postJson(url: URL, body: unknown, headers: Readonly<Record<string, string>>): Promise<number> {
    return this.post(url, Buffer.from(JSON.stringify(body), 'utf8'), {
      'content-type': 'application/json',
      ...headers,
    });
  }

  async post(url: URL, body: Buffer, headers: Readonly<Record<string, string>>): Promise<number> {
    try {
      return await this.send(url, body, headers);
    } catch (error) {
      throw new Error(this.describe(error), { cause: error });
    }
  }

  private send(url: URL, body: Buffer, headers: Readonly<Record<string, string>>): Promise<number> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return Promise.reject(new RefusedTarget(`${url.protocol} is not http(s)`));
    const host = bareHost(url.hostname);
    if (isIP(host) !== 0) {
      const reason = this.policy.refusal(host, host);
      if (reason !== null) return Promise.reject(new RefusedTarget(`${host} refused: ${reason}`));
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        agent: false,
        lookup: this.lookup(),
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { ...headers, 'content-length': String(body.length) },
      });
      req.on('error', reject);
      req.on('response', (response: IncomingMessage) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        response.on('error', () => undefined);
        response.on('close', () => resolve(response.statusCode ?? 0));
      });
      req.end(body);
    });
  }

  /** A socket lookup that hands over only addresses the policy allows. */
  private lookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (addresses) => {
          const allowed: LookupAddress[] = addresses
            .filter((a) => this.policy.refusal(hostname, a.address) === null)
            .map((a) => ({ address: a.address, family: a.family }));
          if (allowed.length === 0) {
            const first = addresses[0];
            const why = first ? this.policy.refusal(hostname, first.address)! : 'it does not resolve';
            callback(new RefusedTarget(`${hostname} refused: ${why}`), options.all ? [] : '');
          } else if (options.all) callback(null, allowed);
          else callback(null, allowed[0]!.address, allowed[0]!.family);
        },
        (error: Error) => callback(error, options.all ? [] : ''),
      );
    };
  }

  private describe(error: unknown): string {
    if (error instanceof RefusedTarget) return `${error.message} (allow it in ${this.allowKey})`;
    const e = error as { name?: string; code?: string; message?: string };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${this.timeoutMs / 1000} s`;
    if (e.code === 'ECONNREFUSED') return 'connection refused';
    if (e.code === 'ECONNRESET') return 'connection reset';
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
    return e.code ?? e.message ?? 'request failed';
  }
}
