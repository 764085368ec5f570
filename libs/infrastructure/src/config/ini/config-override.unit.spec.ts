import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/config.error.js';
import { applyOverrides, parseOverride } from './config-override.js';
import { scanIni } from './ini.scanner.js';

const TEXT = '[DEFAULT]\nworkers = 1\nbaseurl = http://old/\n[kojibuild_driver]\narch = x86_64\n';

function overridden(rules: string[]): Record<string, string> {
  const scanned = scanIni(TEXT, 'p.ini');
  applyOverrides(scanned, rules, 'p.ini');
  return Object.fromEntries(scanned.entries.map((e) => [`${e.section}.${e.key}`, e.value]));
}

function refusal(rules: string[]): ConfigError {
  try {
    overridden(rules);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('when an override names an option present in the file', () => {
  it('replaces the value, URLs and paths included (DLRN only took \\w+ values)', () => {
    const values = overridden(['DEFAULT.workers=4', 'DEFAULT.baseurl=https://new.example.org/repos/']);
    expect(values['DEFAULT.workers']).toBe('4');
    expect(values['DEFAULT.baseurl']).toBe('https://new.example.org/repos/');
  });

  it('sets a [DEFAULT] option for one section only, as configparser does', () => {
    const values = overridden(['kojibuild_driver.workers=8']);
    expect(values['kojibuild_driver.workers']).toBe('8');
    expect(values['DEFAULT.workers']).toBe('1');
  });
});

describe('when an override names an option absent from its section', () => {
  it('refuses it with DLRN\'s "Unknown config option" message', () => {
    expect(refusal(['kojibuild_driver.koji_exe=cbs']).reason).toBe(
      "Unknown config option kojibuild_driver.koji_exe (--config-override 'kojibuild_driver.koji_exe=cbs')",
    );
  });
});

describe('when an override names a section that is not in the file', () => {
  it('refuses it instead of ignoring it silently as DLRN does', () => {
    expect(refusal(['service.api_port=8080']).reason).toContain('section [service] is not in the file');
  });
});

describe('when an override is malformed', () => {
  it.each(['workers=4', 'DEFAULT.workers=', 'DEFAULT.workers', 'DEFAULT.work-ers=1'])(
    'refuses %s instead of ignoring it silently',
    (rule) => {
      expect(() => parseOverride(rule, 'p.ini')).toThrow(`malformed --config-override '${rule}'`);
    },
  );

  it('splits a well-formed rule at the first "="', () => {
    expect(parseOverride('DEFAULT.deps_url=file:///x?a=b', 'p.ini')).toEqual({
      section: 'DEFAULT',
      option: 'deps_url',
      value: 'file:///x?a=b',
    });
  });
});
