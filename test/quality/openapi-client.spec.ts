import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, generatedClientTypes } from '../../scripts/generate-client.js';

describe('the generated API client', () => {
  it('matches the OpenAPI document the server builds (run `npm run generate:client` after changing the API)', async () => {
    expect(readFileSync(CLIENT_TYPES_FILE, 'utf8')).toBe(await generatedClientTypes());
  }, 60_000);
});
