import { describe, expect, it } from 'vitest';
import { parseBasicAuthorization } from './basic-credentials.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('parseBasicAuthorization', () => {
  it('reads the user and the password, which may hold colons, in any case of the scheme', () => {
    expect(parseBasicAuthorization(`Basic ${b64('alice:a:b')}`)).toEqual({ username: 'alice', password: 'a:b' });
    expect(parseBasicAuthorization(`basic   ${b64('alice:')}  `)).toEqual({ username: 'alice', password: '' });
  });

  it('refuses an empty user name, no colon, and anything after the credentials', () => {
    expect(parseBasicAuthorization(`Basic ${b64(':secret')}`)).toBeNull();
    expect(parseBasicAuthorization(`Basic ${b64('alice')}`)).toBeNull();
    expect(parseBasicAuthorization(`Basic ${b64('alice:pw')} x`)).toBeNull();
    expect(parseBasicAuthorization(`Basic ${b64('alice:pw')}.x`)).toBeNull();
    expect(parseBasicAuthorization(undefined)).toBeNull();
    expect(parseBasicAuthorization('')).toBeNull();
  });
});
