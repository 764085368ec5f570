import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WebhookTransport, type AttemptOutcome } from '#domain/delivery/webhook-transport.port.js';
import type { WebhookOutConfig } from '../config/ini/notify.section.js';
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
 * POSTs CloudEvents (structured JSON) to `[notify] webhook_url`, signed per Standard Webhooks
 * with the `standardwebhooks` package. Connections obey the remote-import address rules with
 * `[notify] webhook_allowed_hosts` as the list: checked after DNS, and the socket connects to
 * the very address checked. Redirects are not followed (a 3xx is a failed attempt): the signed
 * request goes where the operator said, nowhere else. Error texts name what happened at the
 * transport (status, timeout, refusal), never what the receiver sent.
 */
export class HttpWebhookTransport extends WebhookTransport {
  readonly endpoint: string;
  private readonly signer: Webhook;
  private readonly policy: RemoteTargetPolicy;

  constructor(
    private readonly config: Pick<WebhookOutConfig, 'url' | 'secret' | 'timeoutMs' | 'allowedHosts'>,
    private readonly resolve: Resolver = systemResolver,
  ) {
    super();
    this.endpoint = `${config.url.origin}${config.url.pathname}`;
    this.signer = new Webhook(config.secret.reveal());
    this.policy = RemoteTargetPolicy.fromConfig(config.allowedHosts);
  }

  async send(message: {
    readonly id: string;
    readonly timestamp: Date;
    readonly body: string;
  }): Promise<AttemptOutcome> {
    const headers = {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'user-agent': 'dlrn-webhook',
      'webhook-id': message.id,
      'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
      'webhook-signature': this.signer.sign(message.id, message.timestamp, message.body),
    };
    try {
      const status = await this.post(Buffer.from(message.body, 'utf8'), headers);
      if (status >= 200 && status < 300) return { ok: true, status };
      return { ok: false, status, error: `HTTP ${status}` };
    } catch (error) {
      return { ok: false, status: null, error: describe(error, this.config.timeoutMs) };
    }
  }

  private post(body: Buffer, headers: Record<string, string>): Promise<number> {
    const url = this.config.url;
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
        signal: AbortSignal.timeout(this.config.timeoutMs),
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
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof RefusedTarget) return `${error.message} (allow it in [notify] webhook_allowed_hosts)`;
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs / 1000} s`;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ECONNRESET') return 'connection reset';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host not found';
  return e.code ?? e.message ?? 'request failed';
}
