/**
 * Reading a forge's JSON payload field by field (pushes in `forge-push.ts`, changes in
 * `change-builds/forge-change.ts`): each reader names the path it expected and what it found
 * wrong, so a 400 says where the payload departs from the forge's documented shape.
 */

/** A signed delivery whose payload is not what the forge documents: 400, naming what. */
export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}

export type Json = Readonly<Record<string, unknown>>;

/** A full commit hash: SHA-1, or SHA-256 for repositories in that format. */
export const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export function objectAt(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new WebhookPayloadError(`${where}: expected an object`);
  return value as Json;
}

export function stringAt(object: Json, key: string, where: string, max = 1024): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '' || value.length > max)
    throw new WebhookPayloadError(`${where}.${key}: expected a string of 1 to ${max} characters`);
  return value;
}

/** The URLs under `keys` that are strings of at most 2048 characters; the first one is what gets recorded. */
export function urlsOf(object: Json, keys: readonly string[]): string[] {
  return keys.map((key) => object[key]).filter((v): v is string => typeof v === 'string' && v.length <= 2048);
}
