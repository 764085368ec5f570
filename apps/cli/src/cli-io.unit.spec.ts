import { describe, expect, it } from 'vitest';
import { progressLine, type CliIo } from './cli-io.js';

const io = (outIsTerminal: boolean | undefined): CliIo => ({
  out: () => undefined,
  err: () => undefined,
  logger: () => {
    throw new Error('not used');
  },
  ...(outIsTerminal === undefined ? {} : { outIsTerminal }),
});

describe('a progress line of the one-shot pass', () => {
  const at = new Date(2026, 11, 6, 9, 5, 7);

  it('on a terminal starts with the local time', () => {
    expect(progressLine(io(true), 'building python-foo', at)).toBe('09:05:07 building python-foo\n');
  });

  it('to a pipe or a file (or an io that does not say) is the line as it is', () => {
    expect(progressLine(io(false), 'building python-foo', at)).toBe('building python-foo\n');
    expect(progressLine(io(undefined), 'building python-foo', at)).toBe('building python-foo\n');
  });
});
