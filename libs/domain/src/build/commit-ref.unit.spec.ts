import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../shared/errors.js';
import { commitRef, packageName, packageStreamId } from './commit-ref.js';

/** The message a refused value gives, or null when it is accepted. */
function refusal(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidValueError);
    return (error as Error).message;
  }
}

describe('a commit triple (commitRef)', () => {
  describe('when a hash is empty or not a string (JSON input)', () => {
    it('is refused as empty, naming the column', () => {
      expect(refusal(() => commitRef('', 'd1'))).toBe('invalid commit_hash "": must not be empty');
      expect(refusal(() => commitRef(123 as unknown as string, 'd1'))).toBe(
        'invalid commit_hash 123: must not be empty',
      );
      expect(refusal(() => commitRef('c1', ''))).toBe('invalid distro_hash "": must not be empty');
      expect(refusal(() => commitRef('c1', 'd1', ''))).toBe('invalid extended_hash "": must not be empty');
    });
  });

  describe('when a hash is at or past its column size (64, 64, 128)', () => {
    it('takes 64 and 128 characters, and refuses one more, saying the size', () => {
      expect(commitRef('a'.repeat(64), 'b'.repeat(64), 'c'.repeat(128))).toEqual({
        commitHash: 'a'.repeat(64),
        distroHash: 'b'.repeat(64),
        extendedHash: 'c'.repeat(128),
      });
      expect(refusal(() => commitRef('a'.repeat(65), 'd1'))).toMatch(
        /^invalid commit_hash "a+": longer than 64 characters$/,
      );
      expect(refusal(() => commitRef('c1', 'b'.repeat(65)))).toMatch(/: longer than 64 characters$/);
      expect(refusal(() => commitRef('c1', 'd1', 'c'.repeat(129)))).toMatch(
        /^invalid extended_hash "c+": longer than 128 characters$/,
      );
    });
  });

  describe('when a hash holds a path separator, blanks or ".."', () => {
    it('is refused, saying what is allowed', () => {
      const why = 'only letters, digits and . _ + ~ - are allowed, and no ".."';
      expect(refusal(() => commitRef('a/b', 'd1'))).toBe(`invalid commit_hash "a/b": ${why}`);
      expect(refusal(() => commitRef('c1', 'a..b'))).toBe(`invalid distro_hash "a..b": ${why}`);
      expect(refusal(() => commitRef('c1', 'd1', 'x y'))).toBe(`invalid extended_hash "x y": ${why}`);
      expect(refusal(() => commitRef('.c1', 'd1'))).toBe(`invalid commit_hash ".c1": ${why}`);
    });
  });

  describe('when the extended hash is null or DLRN\'s "None"', () => {
    it('has none', () => {
      expect(commitRef('c1', 'd1', 'None').extendedHash).toBeNull();
      expect(commitRef('c1', 'd1').extendedHash).toBeNull();
      expect(commitRef('nova-1.0', 'dev', 'e_1+2~3').extendedHash).toBe('e_1+2~3');
    });
  });
});

describe('a package name', () => {
  const why = 'letters, digits and . _ + - only, at most 256';

  it('takes letters, digits and . _ + -, up to 256 characters', () => {
    expect(packageName('python-oslo.config_2+x')).toBe('python-oslo.config_2+x');
    expect(packageName('p'.repeat(256))).toBe('p'.repeat(256));
  });

  it('refuses 257 characters, "..", a leading dot, and anything around an allowed name', () => {
    expect(refusal(() => packageName('p'.repeat(257)))).toBe(`invalid package name "${'p'.repeat(257)}": ${why}`);
    expect(refusal(() => packageName('a..b'))).toBe(`invalid package name "a..b": ${why}`);
    expect(refusal(() => packageName('.nova'))).toBe(`invalid package name ".nova": ${why}`);
    expect(refusal(() => packageName('nova/x'))).toBe(`invalid package name "nova/x": ${why}`);
    expect(refusal(() => packageName('/nova'))).toBe(`invalid package name "/nova": ${why}`);
    expect(refusal(() => packageName('nova~'))).toBe(`invalid package name "nova~": ${why}`);
  });

  it("names the package's own stream", () => {
    expect(packageStreamId('nova')).toBe('package-nova');
  });
});
