import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/config.error.js';
import { scanIni } from './ini.scanner.js';

function valuesOf(text: string): Record<string, string> {
  return Object.fromEntries(scanIni(text, 'p.ini').entries.map((e) => [`${e.section}.${e.key}`, e.value]));
}

function errorOf(text: string): ConfigError {
  try {
    scanIni(text, 'p.ini');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('when options come before any section header', () => {
  it('puts them in [DEFAULT], as the FLOCK 2017 slide writes projects.ini', () => {
    expect(valuesOf('datadir=./data\n[service]\napi_port=1\n')).toEqual({
      'DEFAULT.datadir': './data',
      'service.api_port': '1',
    });
  });
});

describe('when the file uses configparser syntax', () => {
  it("accepts ':' as a delimiter and lower-cases option names", () => {
    expect(valuesOf('[DEFAULT]\nBaseURL: http://x/\n')).toEqual({ 'DEFAULT.baseurl': 'http://x/' });
  });

  it("keeps ';' and '#' inside a value and the quotes around it", () => {
    expect(valuesOf('a = x;y # z\nb = "q"\n')).toEqual({ 'DEFAULT.a': 'x;y # z', 'DEFAULT.b': '"q"' });
  });

  it('joins indented continuation lines with newlines, skipping comment lines', () => {
    expect(valuesOf('a = one,\n  # note\n    two\n\n    three\nb = 2\n')).toEqual({
      'DEFAULT.a': 'one,\ntwo\n\nthree',
      'DEFAULT.b': '2',
    });
  });

  it('records the 1-based line of every option', () => {
    const { entries } = scanIni('# header\n\n[DEFAULT]\nworkers = 2\n', 'p.ini');
    expect(entries[0]?.line).toBe(4);
  });
});

describe('when a line is neither blank, a comment, a header nor an option', () => {
  it('refuses the file naming the line', () => {
    const error = errorOf('[DEFAULT]\nworkers = 2\njust words\n');
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      `p.ini: malformed line "just words": expected '[section]', 'key = value' or a comment (line 3)`,
    );
  });

  it('refuses an empty key', () => {
    expect(errorOf('= value\n').line).toBe(1);
  });
});

describe('when an option or a section appears twice', () => {
  it('refuses the second option, whatever its case', () => {
    const error = errorOf('[DEFAULT]\nworkers=1\nWORKERS=2\n');
    expect(error.message).toBe(
      'p.ini: [DEFAULT] workers: option set twice in the same section (first at line 2) (line 3)',
    );
  });

  it('refuses the second section header', () => {
    expect(errorOf('[service]\n[DEFAULT]\n[service]\n').message).toContain(
      'section [service] appears twice (first at line 1)',
    );
  });
});
