import { describe, expect, it } from 'vitest';
import { createLogger, logLevel, prettyLine } from './logger.js';

function captured(pretty: boolean, level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ service: 'dlrn-test', level, pretty, sink: { write: (t: string) => lines.push(t) } });
  return { logger, lines };
}

describe('the logger of every process', () => {
  it('writes one JSON object per line with level, time, service and msg when not on a terminal', () => {
    const { logger, lines } = captured(false);
    logger.info({ package: 'nova', seconds: 1.5 }, 'built');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 30, service: 'dlrn-test', msg: 'built', package: 'nova', seconds: 1.5 });
    expect(typeof record['time']).toBe('number');
  });

  it('drops what is below its level', () => {
    const { logger, lines } = captured(false, 'warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['loud']);
  });

  it('on a terminal, shows a short line: time, level, message, fields', () => {
    const { logger, lines } = captured(true);
    logger.warn({ package: 'nova', notes: 'two words' }, 'built');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}built package=nova notes="two words"\n$/);
  });
});

describe('a pretty line', () => {
  it('passes what is not JSON as it is', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });
});

describe('the level asked for', () => {
  it('defaults to info and refuses a typo, naming the levels', () => {
    expect(logLevel(undefined)).toBe('info');
    expect(logLevel('DEBUG')).toBe('debug');
    expect(() => logLevel('verbose')).toThrow(/log level "verbose": expected one of fatal, error/);
  });
});
