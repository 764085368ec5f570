import { describe, expect, it } from 'vitest';
import { loggedUrl } from './access-log.js';

describe('the URL an access-log line shows', () => {
  it('keeps the path and the ordinary query as sent', () => {
    expect(loggedUrl('/api/repo_status?commit_hash=abc&distro_hash=def')).toBe(
      '/api/repo_status?commit_hash=abc&distro_hash=def',
    );
  });

  it('hides the value of every parameter whose name looks secret, escaped or not', () => {
    expect(loggedUrl('/hook?token=s3cr3t&x=1&api%5Fkey=k&Password=p&flag')).toBe(
      '/hook?token=***&x=1&api%5Fkey=***&Password=***&flag',
    );
  });

  it('cuts a huge URL', () => {
    const shown = loggedUrl(`/api/${'a'.repeat(10_000)}`);
    expect(shown.length).toBe(2049);
    expect(shown.endsWith('…')).toBe(true);
  });
});
