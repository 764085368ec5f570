import { Webhook } from 'standardwebhooks';
import { WebhookTransport, type AttemptOutcome } from '#domain/delivery/webhook-transport.port.js';
import type { WebhookOutConfig } from '../config/ini/notify.section.js';
import type { Resolver } from '../net/remote-target.policy.js';
import { GuardedPoster } from './guarded.poster.js';

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
  private readonly poster: GuardedPoster;

  constructor(
    private readonly config: Pick<WebhookOutConfig, 'url' | 'secret' | 'timeoutMs' | 'allowedHosts'>,
    resolve?: Resolver,
  ) {
    super();
    this.endpoint = `${config.url.origin}${config.url.pathname}`;
    this.signer = new Webhook(config.secret.reveal());
    this.poster = new GuardedPoster(config.allowedHosts, '[notify] webhook_allowed_hosts', config.timeoutMs, resolve);
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
      const status = await this.poster.post(this.config.url, Buffer.from(message.body, 'utf8'), headers);
      if (status >= 200 && status < 300) return { ok: true, status };
      return { ok: false, status, error: `HTTP ${status}` };
    } catch (error) {
      return { ok: false, status: null, error: (error as Error).message };
    }
  }
}
