/** One attempt's answer: a 2xx is delivered; anything else (or no answer) is a failure to retry. */
export type AttemptOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status: number | null; readonly error: string };

/**
 * Sends one signed webhook request (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature` over the exact body). Never throws for what the receiver or the network
 * did: that is an outcome.
 */
export abstract class WebhookTransport {
  /** Scheme, host, port and path of the receiver (no query): what dead letters record. */
  abstract readonly endpoint: string;
  abstract send(message: {
    readonly id: string;
    readonly timestamp: Date;
    readonly body: string;
  }): Promise<AttemptOutcome>;
}
