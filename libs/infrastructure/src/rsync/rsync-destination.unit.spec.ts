import { describe, expect, it } from 'vitest';
import { knownHostsPathProblem, rsyncDestinationProblem } from './rsync-destination.js';

describe('rsyncdest', () => {
  it.each([
    'user@host:/srv/repos',
    'host:/srv/repos',
    'mirror.example.org:repos',
    'dlrn@[2001:db8::1]:/srv',
    'h:~/r_1.2+x',
  ])('accepts %s (user@host:path or host:path)', (value) => {
    expect(rsyncDestinationProblem(value)).toBeNull();
  });

  it.each([
    ['/srv/repos', 'is not a remote destination'],
    ['host::module', 'rsync daemon destinations are not supported'],
    ['rsync://host/module', 'rsync daemon destinations are not supported'],
    ['host:/srv/$(reboot)', 'expected user@host:path or host:path'],
    ['host:/srv/a b', 'expected user@host:path or host:path'],
    ['host:', 'expected user@host:path or host:path'],
    ['-e sh:/x', 'expected user@host:path or host:path'],
    ['user@-host:/x', 'expected user@host:path or host:path'],
    ['host:--delete', 'expected user@host:path or host:path'],
    ["host:/srv/'x'", 'expected user@host:path or host:path'],
  ])('refuses %s', (value, reason) => {
    expect(rsyncDestinationProblem(value)).toContain(reason);
  });
});

describe('rsync_known_hosts', () => {
  it('accepts a plain path and refuses one rsync -e would split or unquote', () => {
    expect(knownHostsPathProblem('/etc/dlrn/known_hosts')).toBeNull();
    expect(knownHostsPathProblem('/etc/dlrn/known hosts')).toContain('blanks, quotes and backslashes');
    expect(knownHostsPathProblem('/etc/dlrn/"k"')).toContain('blanks, quotes and backslashes');
  });
});
