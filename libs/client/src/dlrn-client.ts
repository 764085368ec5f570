import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi.js';

export type { paths } from './openapi.js';
export type DlrnClient = Client<paths>;

/**
 * A typed client of the API, its types generated from the server's OpenAPI document (so a
 * client built against a drifted document fails to compile). Credentials are for writes, and
 * reads under `protect_read_endpoints`.
 */
export function createDlrnClient(
  baseUrl: string,
  options: { readonly username?: string; readonly password?: string } = {},
): DlrnClient {
  const headers: Record<string, string> = {};
  if (options.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }
  return createClient<paths>({ baseUrl, headers });
}
