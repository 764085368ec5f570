import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secret } from '#infrastructure/config/index.js';
import { checkSignature } from './forge-signature.js';

const SECRET = 'a-secret-of-enough-length';
const secrets = { github: new Secret(SECRET), gitea: new Secret(SECRET), gitlab: new Secret(SECRET), gerrit: null };
const body = Buffer.from('{"ref":"refs/heads/master"}');
const hex = createHmac('sha256', SECRET).update(body).digest('hex');

describe('checkSignature', () => {
  it('accepts the HMAC of the exact body, in either case of hex', () => {
    expect(checkSignature('github', secrets, { 'x-hub-signature-256': `sha256=${hex}` }, body)).toEqual({ ok: true });
    expect(checkSignature('gitea', secrets, { 'x-gitea-signature': hex.toUpperCase() }, body)).toEqual({ ok: true });
  });

  it('refuses a signature of other bytes, another scheme, a truncated one, or a repeated header', () => {
    const other = Buffer.from(`${body.toString()} `);
    const refused = [
      checkSignature('github', secrets, { 'x-hub-signature-256': `sha256=${hex}` }, other),
      checkSignature('github', secrets, { 'x-hub-signature-256': `sha1=${hex}` }, body),
      checkSignature('github', secrets, { 'x-hub-signature-256': `sha256=${hex.slice(0, 40)}` }, body),
      checkSignature('gitea', secrets, { 'x-gitea-signature': [hex, hex] }, body),
    ];
    expect(refused.map((r) => r.ok)).toEqual([false, false, false, false]);
  });

  it('compares GitLab tokens of any length without throwing', () => {
    expect(checkSignature('gitlab', secrets, { 'x-gitlab-token': SECRET }, body).ok).toBe(true);
    expect(checkSignature('gitlab', secrets, { 'x-gitlab-token': 'x' }, body).ok).toBe(false);
    expect(checkSignature('gitlab', secrets, { 'x-gitlab-token': `${SECRET}x` }, body).ok).toBe(false);
  });

  it('refuses a forge with no secret, saying so for the log', () => {
    expect(checkSignature('gerrit', secrets, { authorization: `Bearer ${SECRET}` }, body)).toEqual({
      ok: false,
      reason: 'no [webhooks] secret is configured for gerrit',
    });
  });
});
