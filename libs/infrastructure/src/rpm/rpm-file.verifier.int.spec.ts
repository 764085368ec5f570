import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNoarchRpm, type BuiltRpm } from '../../../../test/support/rpm-fixtures.js';
import { verifyRpmFile } from './rpm-file.verifier.js';

describe('verifyRpmFile (real rpm and rpmkeys)', () => {
  let dir: string;
  let built: BuiltRpm;
  let name: string;

  /** A copy of the good RPM under `file`, changed by `change`. */
  async function variant(file: string, change: (path: string) => Promise<void>): Promise<string> {
    const path = join(dir, file);
    await copyFile(built.rpm, path);
    await change(path);
    return path;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rpm-verify-'));
    built = await buildNoarchRpm({ outDir: dir, name: 'verify-me', version: '3.1' });
    name = `${built.nvr}.noarch.rpm`;
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('accepts an RPM as rpmbuild wrote it, and its source RPM', async () => {
    await expect(verifyRpmFile(built.rpm, name)).resolves.toBeUndefined();
    await expect(verifyRpmFile(built.srpm, `${built.nvr}.src.rpm`)).resolves.toBeUndefined();
  });

  it('refuses an RPM cut short inside its header, naming the file', async () => {
    const size = (await readFile(built.rpm)).length;
    const path = await variant('cut', (p) => truncate(p, Math.floor(size * 0.7)));
    const error = await verifyRpmFile(path, name).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_RPM_INVALID' });
    expect((error as Error).message).toBe(`${name}: rpm cannot read its header`);
  });

  it('refuses an RPM missing only its last byte, by the size it declares', async () => {
    const size = (await readFile(built.rpm)).length;
    const path = await variant('cut1', (p) => truncate(p, size - 1));
    await expect(verifyRpmFile(path, name)).rejects.toThrow(`${name}: ${size - 1} bytes, the package declares ${size}`);
  });

  it('refuses an RPM with payload bytes flipped', async () => {
    const path = await variant('flipped', async (p) => {
      const bytes = await readFile(p);
      for (let i = bytes.length - 40; i < bytes.length - 32; i++) bytes[i] = bytes[i]! ^ 0xff;
      await writeFile(p, bytes);
    });
    await expect(verifyRpmFile(path, name)).rejects.toThrow(/rpm digest check failed/);
  });

  it('refuses an RPM with bytes appended (more than the package declares)', async () => {
    const path = await variant('longer', async (p) =>
      writeFile(p, Buffer.concat([await readFile(p), Buffer.alloc(10)])),
    );
    await expect(verifyRpmFile(path, name)).rejects.toThrow(/: \d+ bytes, the package declares \d+$/);
  });

  it('refuses a file that is not an RPM, and an RPM under another package name', async () => {
    const text = join(dir, 'text.rpm');
    await writeFile(
      text,
      'hello, I am not an RPM at all, but I am long enough to have a lead of 96 bytes and more: ......................',
    );
    await expect(verifyRpmFile(text, 'text.rpm')).rejects.toThrow(/^text\.rpm: not an RPM file$/);
    await expect(verifyRpmFile(built.rpm, 'other-1.0-1.el9.noarch.rpm')).rejects.toThrow(
      /^other-1\.0-1\.el9\.noarch\.rpm: the file name is not the package name-version-release\.arch$/,
    );
  });
});
