import { describe, expect, it } from 'vitest';
import { distTag } from './commit-builder.js';

/** `%{dist}` for the release string, from the mock target's name. */
describe('distTag', () => {
  it.each([
    ['centos9', '.el9'],
    ['centos9-stream', '.el9'],
    ['centos-stream-9', '.el9'],
    ['CentOS-Stream-10', '.el10'],
    ['rhel-8', '.el8'],
    ['redhat7', '.el7'],
    ['el_10', '.el10'],
    ['almalinux9', '.el9'],
    ['rocky8-x86_64', '.el8'],
  ])('gives an Enterprise Linux target its .el tag: %s → %s', (target, tag) => {
    expect(distTag(target)).toBe(tag);
  });

  it.each([
    ['fedora-39', '.fc39'],
    ['fedora_40', '.fc40'],
    ['Fedora41', '.fc41'],
    ['fedora-rawhide-x86_64', ''],
  ])('gives a Fedora target its .fc tag, none without a number: %s → "%s"', (target, tag) => {
    expect(distTag(target)).toBe(tag);
  });

  it.each([[null], [undefined], [''], ['opensuse-tumbleweed'], ['fedora-']])('gives no tag to %s', (target) => {
    expect(distTag(target)).toBe('');
  });
});
