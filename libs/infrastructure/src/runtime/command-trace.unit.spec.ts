import { afterEach, describe, expect, it } from 'vitest';
import { traceCommand, traceCommandsTo } from './command-trace.js';

describe('--log-commands trace', () => {
  afterEach(() => traceCommandsTo(null));

  it('prints each command as a shell would show it, quoting what needs it', () => {
    const lines: string[] = [];
    traceCommandsTo((line) => lines.push(line));
    traceCommand('git', ['log', '--format=%H %s', "it's"], '/srv/x');
    traceCommand('createrepo_c', ['/repos/ab/cd']);
    expect(lines).toEqual([`+ git log '--format=%H %s' 'it'\\''s'   (in /srv/x)`, '+ createrepo_c /repos/ab/cd']);
  });

  it('prints nothing unless asked', () => {
    expect(() => traceCommand('git', ['status'])).not.toThrow();
  });
});
