import { describe, expect, it } from 'vitest';
import { formatNvr, nvrOfArtifacts, parseNvr, parseRpmFileName } from './nvr.js';

describe('an NVR', () => {
  it('splits name-version-release, the name keeping its dashes, and formats back', () => {
    const nvr = parseNvr('python-oslo-config-9.1.0-0.20260101.abc');
    expect(nvr).toEqual({ name: 'python-oslo-config', version: '9.1.0', release: '0.20260101.abc' });
    expect(formatNvr(nvr)).toBe('python-oslo-config-9.1.0-0.20260101.abc');
  });

  it('is refused without three parts, or with a trailing dash, saying what was expected', () => {
    expect(() => parseNvr('nova-1.0')).toThrow('invalid NVR "nova-1.0": expected <name>-<version>-<release>');
    expect(() => parseNvr('nova-1.0-1-')).toThrow('expected <name>-<version>-<release>');
  });
});

describe('an RPM file name', () => {
  it('gives the NVR and the arch, src for a source RPM', () => {
    expect(parseRpmFileName('nova-1.0-1.el9.src.rpm')).toEqual({
      name: 'nova',
      version: '1.0',
      release: '1.el9',
      arch: 'src',
    });
    expect(parseRpmFileName('nova-1.0-1.el9.noarch.rpm').arch).toBe('noarch');
  });

  it('is refused unless it ends in .<arch>.rpm, saying what was expected', () => {
    expect(() => parseRpmFileName('nova-1.0-1.noarch.rpm.sig')).toThrow(
      'invalid RPM file name "nova-1.0-1.noarch.rpm.sig": expected <nvr>.<arch>.rpm',
    );
    expect(() => parseRpmFileName('nova.rpm')).toThrow('expected <nvr>.<arch>.rpm');
  });
});

describe("a build's NVR from its artifacts (DLRN)", () => {
  it('is the first source RPM without its directory and .src.rpm, or null', () => {
    expect(nvrOfArtifacts(['repos/x/nova-1.0-1.noarch.rpm', 'repos/x/nova-1.0-1.src.rpm', 'y/z-2-2.src.rpm'])).toBe(
      'nova-1.0-1',
    );
    expect(nvrOfArtifacts(['nova-1.0-1.src.rpm'])).toBe('nova-1.0-1');
    expect(nvrOfArtifacts(['repos/x/nova-1.0-1.noarch.rpm'])).toBeNull();
  });
});
