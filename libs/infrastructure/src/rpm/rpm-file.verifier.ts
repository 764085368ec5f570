import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { RemoteImportError } from '#domain/build/remote-import.error.js';

const run = promisify(execFile);

const LEAD_MAGIC = Buffer.from([0xed, 0xab, 0xee, 0xdb]);
const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01]);
const LEAD_SIZE = 96;
// The name rpm itself gives the file: a source package's arch is `src` (its ARCH is the build host's).
const FILE_NAME_FORMAT = '%{LONGSIGSIZE} %{NAME}-%{VERSION}-%{RELEASE}.%|SOURCERPM?{%{ARCH}}:{src}|.rpm';
// A digest over the payload: without one, a cut-short payload would pass the header digests.
const PAYLOAD_DIGEST_OK = /^\s*(?:Payload \S+ digest|MD5 digest): OK$/m;

/** rpm and rpmkeys run with data only as file arguments, in the C locale so their output parses. */
const RPM_ENV = { ...process.env, LC_ALL: 'C' };

function bad(name: string, reason: string): RemoteImportError {
  return new RemoteImportError('REMOTE_RPM_INVALID', `${name}: ${reason}`);
}

/**
 * Where the signature header ends, read from the file's lead and signature header; the RPM's
 * LONGSIGSIZE (header + payload) must fill the file from there exactly.
 */
async function signatureEnd(path: string, name: string): Promise<{ end: number; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(LEAD_SIZE + 16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || !head.subarray(0, 4).equals(LEAD_MAGIC)) throw bad(name, 'not an RPM file');
    if (!head.subarray(LEAD_SIZE, LEAD_SIZE + 4).equals(HEADER_MAGIC)) throw bad(name, 'no signature header');
    const entries = head.readUInt32BE(LEAD_SIZE + 8);
    const data = head.readUInt32BE(LEAD_SIZE + 12);
    const end = LEAD_SIZE + 16 + 16 * entries + data;
    return { end: end + ((8 - (end % 8)) % 8), size };
  } finally {
    await handle.close();
  }
}

/**
 * Verifies a downloaded RPM in full before it may be published (a worker is not trusted, and
 * createrepo_c reads headers only, so it indexes a cut-short RPM as if whole): the size the
 * package declares against the bytes on disk, the file name against the package's own
 * name-version-release.arch, and rpm's own digests over header and payload
 * (`rpmkeys --checksig --nosignature`: signatures are not what an import vouches for).
 * Throws REMOTE_RPM_INVALID naming `name`.
 */
export async function verifyRpmFile(path: string, name: string, signal?: AbortSignal): Promise<void> {
  const { end, size } = await signatureEnd(path, name);
  const options = { env: RPM_ENV, maxBuffer: 1024 * 1024, ...(signal ? { signal } : {}) };
  // Size and name first (rpm reads only the header): a cut-short file is named as such.
  let query: string;
  try {
    query = (await run('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', FILE_NAME_FORMAT, '--', path], options))
      .stdout;
  } catch {
    signal?.throwIfAborted();
    throw bad(name, 'rpm cannot read its header');
  }
  const match = /^(\d+) (\S+)$/.exec(query.trim());
  if (!match) throw bad(name, 'rpm cannot read its header');
  const declared = end + Number(match[1]);
  if (declared !== size) throw bad(name, `${size} bytes, the package declares ${declared}`);
  if (match[2] !== name) throw bad(name, 'the file name is not the package name-version-release.arch');
  let digests: string;
  try {
    digests = (await run('rpmkeys', ['--checksig', '--nosignature', '-v', '--', path], options)).stdout;
  } catch (error) {
    signal?.throwIfAborted();
    const failed = (error as { stdout?: unknown }).stdout;
    const lines = typeof failed === 'string' ? failed.split('\n').filter((l) => /BAD|NOT OK/.test(l)) : [];
    // rpmkeys' lines name digests and their verdicts only, never file contents.
    throw bad(name, `rpm digest check failed${lines.length ? ` (${lines.map((l) => l.trim()).join('; ')})` : ''}`);
  }
  if (!PAYLOAD_DIGEST_OK.test(digests)) throw bad(name, 'no payload digest to check it against');
}
