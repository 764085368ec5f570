import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjectsIni } from './projects-ini.loader.js';

describe('[webhooks] in projects.ini', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-webhooks-ini-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ini = (webhooks: string) => {
    const file = join(dir, `projects-${Math.random().toString(36).slice(2)}.ini`);
    writeFileSync(file, `[DEFAULT]\nbaseurl=http://localhost/repos\nbuild_driver=rpmbuild\n${webhooks}`);
    return file;
  };

  it('when absent, refuses every forge (each secret null)', () => {
    expect(loadProjectsIni(ini('')).webhooks).toEqual({ github: null, gitea: null, gitlab: null, gerrit: null });
  });

  it('when set, holds the secrets without ever showing them', () => {
    const secret = 'a-github-secret-never-shown';
    const config = loadProjectsIni(ini(`[webhooks]\ngithub_secret=${secret}\ngitlab_token=\n`));
    expect(config.webhooks.github?.reveal()).toBe(secret);
    expect(config.webhooks.gitlab).toBeNull();
    expect(JSON.stringify(config)).not.toContain(secret);
    expect(inspect(config, { depth: 10 })).not.toContain(secret);
    expect(String(config.webhooks.github)).toBe('[secret]');
  });

  it('refuses a short secret, naming the option but not the value', () => {
    const file = ini('[webhooks]\ngitea_secret=short-one\n');
    expect(() => loadProjectsIni(file)).toThrow(/\[webhooks\] gitea_secret: must be 16 to 1024 characters/);
    expect(() => loadProjectsIni(file)).not.toThrow(/short-one/);
  });

  it('refuses an unknown option of the section', () => {
    expect(() => loadProjectsIni(ini('[webhooks]\ngithub_secrte=0123456789abcdefgh\n'))).toThrow(
      /\[webhooks\] github_secrte: unknown option/,
    );
  });
});
