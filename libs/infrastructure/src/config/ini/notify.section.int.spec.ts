import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configErrorFrom, FIXTURES, writeTree } from '../../../../../test/support/config-fixtures.js';
import { loadProjectsIni } from './projects-ini.loader.js';

const SEED = readFileSync(join(FIXTURES, 'seed-flock2017/projects.ini'), 'utf8');
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** The talk's projects.ini with a [notify] section holding `lines`. */
function load(...lines: string[]) {
  const root = writeTree({ 'projects.ini': `${SEED}\n[notify]\n${lines.join('\n')}\n` });
  return () => loadProjectsIni(join(root, 'projects.ini'));
}

describe('[notify] outgoing webhook', () => {
  it('is off when webhook_url is not set', () => {
    expect(loadProjectsIni(join(FIXTURES, 'seed-flock2017/projects.ini')).notify.webhook).toBeNull();
  });

  it('takes a public https URL with a Standard Webhooks secret, its limits defaulted', () => {
    const webhook = load('webhook_url=https://ci.example.org/hooks/dlrn', `webhook_secret=${SECRET}`)().notify.webhook!;
    expect(webhook).toMatchObject({ maxAttempts: 8, timeoutMs: 10_000, retryDelayMs: 1000, retryMaxDelayMs: 300_000 });
    expect(webhook.url.href).toBe('https://ci.example.org/hooks/dlrn');
    expect(JSON.stringify(webhook)).not.toContain(SECRET);
  });

  it('refuses a URL without its secret, and a secret without a URL', () => {
    expect(configErrorFrom(load('webhook_url=https://ci.example.org/h')).message).toMatch(
      /\[notify\] webhook_secret: is required with webhook_url/,
    );
    expect(configErrorFrom(load(`webhook_secret=${SECRET}`)).message).toMatch(/webhook_secret: is set but webhook_url/);
  });

  it('refuses a secret not in whsec_<base64> form without showing it', () => {
    const error = configErrorFrom(load('webhook_url=https://ci.example.org/h', 'webhook_secret=hunter2hunter2hunter2'));
    expect(error.message).toMatch(/webhook_secret: expected whsec_<base64>/);
    expect(error.message).not.toContain('hunter2');
    const short = configErrorFrom(load('webhook_url=https://ci.example.org/h', 'webhook_secret=whsec_c2hvcnQ='));
    expect(short.message).toMatch(/24 to 64 bytes/);
  });

  it('refuses URLs that are not http(s), or hold credentials', () => {
    expect(configErrorFrom(load('webhook_url=ftp://ci.example.org/h', `webhook_secret=${SECRET}`)).message).toMatch(
      /webhook_url: expected an http/,
    );
    expect(
      configErrorFrom(load('webhook_url=https://u:p@ci.example.org/h', `webhook_secret=${SECRET}`)).message,
    ).toMatch(/must not hold a user name or password/);
  });

  it('refuses a loopback or private receiver unless webhook_allowed_hosts lists it', () => {
    const refused = configErrorFrom(load('webhook_url=http://127.0.0.1:9/h', `webhook_secret=${SECRET}`));
    expect(refused.message).toMatch(
      /127\.0\.0\.1 is a loopback address \(allow it in \[notify\] webhook_allowed_hosts\)/,
    );
    const allowed = load(
      'webhook_url=http://127.0.0.1:9/h',
      `webhook_secret=${SECRET}`,
      'webhook_allowed_hosts=127.0.0.1',
    );
    expect(allowed().notify.webhook?.allowedHosts).toEqual(['127.0.0.1']);
  });

  it('refuses attempts out of range', () => {
    const error = configErrorFrom(
      load('webhook_url=https://ci.example.org/h', `webhook_secret=${SECRET}`, 'webhook_max_attempts=0'),
    );
    expect(error.message).toMatch(/webhook_max_attempts/);
  });
});
