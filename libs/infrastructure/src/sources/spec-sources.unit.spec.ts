import { describe, expect, it } from 'vitest';
import { specSourceTags, urlSource, UrlSourceError } from './spec-sources.js';

describe('specSourceTags', () => {
  it('reads Source and Patch tags of the main and subpackage preambles, in order', () => {
    const spec = [
      'Name: x',
      'Source0: x.tar.gz',
      'source1 :  https://example.org/a.tar.gz  ',
      'Patch: fix.patch',
      '%description',
      'Source: https://example.org/prose.tar.gz',
      '%package doc',
      'Patch7: https://example.org/doc.patch',
      '%prep',
      'Source2: https://example.org/in-prep.tar.gz',
    ].join('\n');
    expect(specSourceTags(spec)).toEqual([
      { tag: 'Source0', value: 'x.tar.gz' },
      { tag: 'source1', value: 'https://example.org/a.tar.gz' },
      { tag: 'Patch', value: 'fix.patch' },
      { tag: 'Patch7', value: 'https://example.org/doc.patch' },
    ]);
  });

  it('ignores tags that only start like Source (SourceLicense) and empty values', () => {
    expect(specSourceTags('SourceLicense: MIT\nSource3:\nPatchList: x')).toEqual([]);
  });
});

describe('urlSource', () => {
  it('is null for a dist-git file name', () => {
    expect(urlSource({ tag: 'Source1', value: 'x.service' })).toBeNull();
  });

  it("names the file after the value's last '/', and sends no fragment", () => {
    const source = urlSource({ tag: 'Source0', value: 'https://h.example/archive/v1.tar.gz#/pkg-1.tar.gz' })!;
    expect(source.fileName).toBe('pkg-1.tar.gz');
    expect(source.url.href).toBe('https://h.example/archive/v1.tar.gz');
    expect(urlSource({ tag: 'Source1', value: 'http://h.example/a%20b.tar.gz' })!.fileName).toBe('a%20b.tar.gz');
  });

  it.each([
    ['ftp://h.example/x.tar.gz', 'only http and https'],
    ['https://h.example/%{missing}.tar.gz', 'macro that could not be expanded'],
    ['https://h.example/%version.tar.gz', 'macro that could not be expanded'],
    ['https://user:secret@h.example/x.tar.gz', 'credentials'],
    ['https://h.example/dir/', 'no file name'],
    ['https://h.example/..', 'no file name'],
    ['https://h.example/x\u0001y', 'no file name'],
    [`https://h.example/${'a'.repeat(256)}`, 'too long'],
  ])('refuses %s, naming the tag', (value, reason) => {
    expect(() => urlSource({ tag: 'Source9', value })).toThrow(UrlSourceError);
    expect(() => urlSource({ tag: 'Source9', value })).toThrow(`Source9: ${value}`);
    expect(() => urlSource({ tag: 'Source9', value })).toThrow(reason);
  });
});
