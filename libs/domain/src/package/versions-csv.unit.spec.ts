import { beforeAll, describe, expect, it } from 'vitest';
import { mergeVersions, parseVersionsCsv, pinnedCommit, VersionsCsvError } from './versions-csv.js';

const URL_A = 'https://trunk.example.org/centos9-master/current/versions.csv';
const HEADER =
  'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR';
const NOVA_SRC = 'c9de185ea1ac1e8d4435c5863b2ad7cefdb28c76';
const NOVA_DIST = '118992921c733bc0079e34dbde59cc8b3c1312dc';
const NOVA = `openstack-nova,https://opendev.org/openstack/nova,${NOVA_SRC},https://github.com/rdo-packages/nova-distgit.git,${NOVA_DIST},SUCCESS,1671296928,compute,None,openstack-nova-26.0.1-0.20221217170848.c9de185.el9`;
const IRONIC = `openstack-ironic,https://opendev.org/openstack/ironic,06895641fb8a44caf4574919bd518f0de76cba3d,https://github.com/rdo-packages/ironic-distgit.git,a971ec78bdb0978676e19ab31490c45ff3ae5410,SUCCESS,None,baremetal,None,openstack-ironic-21.1.1-0.20230110104845.0689564.el9`;

function errorOf(fn: () => unknown): VersionsCsvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VersionsCsvError) return error;
    throw error;
  }
  throw new Error('expected a VersionsCsvError');
}

describe('versions.csv (DLRN _getversions)', () => {
  describe('given a file DLRN wrote', () => {
    // Parsed in beforeAll, not while vitest collects the file (a mutant is active only for the tests).
    let table: ReturnType<typeof parseVersionsCsv>;
    beforeAll(() => {
      table = parseVersionsCsv(`${HEADER}\n${IRONIC}\n${NOVA}\n`, URL_A);
    });

    it('pins each package to its Source Sha, Dist Sha and Last Success Timestamp', () => {
      expect(pinnedCommit(table.get('openstack-nova')!)).toEqual({
        commitHash: NOVA_SRC,
        distroHash: NOVA_DIST,
        dtCommit: 1671296928,
      });
    });

    it('remembers the URL and the line of each row', () => {
      expect(table.get('openstack-nova')).toMatchObject({ url: URL_A, line: 3, status: 'SUCCESS' });
    });

    it("refuses a timestamp of 'None' with DLRN's message, naming the file and the package", () => {
      expect(errorOf(() => pinnedCommit(table.get('openstack-ironic')!)).message).toBe(
        `versions.csv ${URL_A}, line 2: In versions file ${URL_A}, "Last Success Timestamp" field of package ` +
          '"openstack-ironic" has an invalid timestamp value. Contact a DLRN administrator with this info for assistance.',
      );
    });
  });

  it('reads the older seven-column files, CRLF line ends and quoted fields', () => {
    const old = `Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp\r\n"openstack-nova","a,b",${NOVA_SRC},d,${NOVA_DIST},SUCCESS,1.5e9\r\n`;
    const row = parseVersionsCsv(old, URL_A).get('openstack-nova')!;
    expect(row.sourceRepo).toBe('a,b');
    expect(pinnedCommit(row).dtCommit).toBe(1_500_000_000);
  });

  it('lets a later file override an earlier one, package by package', () => {
    const first = parseVersionsCsv(`${HEADER}\n${NOVA}\n${IRONIC}\n`, 'file:///a.csv');
    const newer = NOVA.replace(NOVA_SRC, 'f'.repeat(40));
    const merged = mergeVersions([first, parseVersionsCsv(`${HEADER}\n${newer}\n`, 'file:///b.csv')]);
    expect(merged.get('openstack-nova')).toMatchObject({ sourceSha: 'f'.repeat(40), url: 'file:///b.csv' });
    expect(merged.get('openstack-ironic')).toMatchObject({ url: 'file:///a.csv' });
  });

  describe('given a file that is not a versions.csv', () => {
    it('refuses an HTML page served in its place, naming the column', () => {
      expect(errorOf(() => parseVersionsCsv('<html><body>Not found</body></html>\n', URL_A)).message).toBe(
        `versions.csv ${URL_A}, line 1: not a DLRN versions.csv header: column 1 should be 'Project', found "<html><body>Not found</body></html>"`,
      );
    });

    it('refuses a short row, naming its line', () => {
      expect(errorOf(() => parseVersionsCsv(`${HEADER}\n${NOVA}\n\nfoo,bar\n`, URL_A)).message).toBe(
        `versions.csv ${URL_A}, line 4: 2 columns, at least 7 expected`,
      );
    });

    it('refuses an unclosed quote and an empty file', () => {
      expect(errorOf(() => parseVersionsCsv(`${HEADER}\n"nova,x\n`, URL_A)).message).toContain(
        'line 2: a quoted field is not closed',
      );
      expect(errorOf(() => parseVersionsCsv('', URL_A)).message).toBe(`versions.csv ${URL_A}: the file is empty`);
    });
  });

  describe('given pins that would reach git or a path', () => {
    it.each([
      ['Source Sha', NOVA.replace(NOVA_SRC, '../../etc')],
      ['Dist Sha', NOVA.replace(NOVA_DIST, '--upload-pack=evil')],
      ['Source Sha', NOVA.replace(NOVA_SRC, NOVA_SRC.slice(0, 7))],
    ])('refuses a %s that is not a full hash', (column, row) => {
      const parsed = parseVersionsCsv(`${HEADER}\n${row}\n`, URL_A).get('openstack-nova')!;
      expect(errorOf(() => pinnedCommit(parsed)).message).toContain(`"${column}" of package "openstack-nova" is`);
    });

    it.each(['nan', 'inf', '-5', '', '12abc'])('refuses the timestamp %j', (stamp) => {
      const parsed = parseVersionsCsv(`${HEADER}\n${NOVA.replace('1671296928', stamp)}\n`, URL_A).get(
        'openstack-nova',
      )!;
      expect(() => pinnedCommit(parsed)).toThrow('invalid timestamp value');
    });
  });
});

describe('versions.csv, rule by rule', () => {
  const OLD_HEADER = 'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp';
  const row = (timestamp: string, project = 'openstack-nova') =>
    `${project},r,${NOVA_SRC},d,${NOVA_DIST},SUCCESS,${timestamp}`;
  const stampOf = (timestamp: string) =>
    pinnedCommit(parseVersionsCsv(`${OLD_HEADER}\n${row(timestamp)}\n`, URL_A).get('openstack-nova')!).dtCommit;

  it('gives a stable error code, with the URL and the line as details', () => {
    const error = errorOf(() => parseVersionsCsv(`${OLD_HEADER}\nfoo\n`, URL_A));
    expect(error.code).toBe('VERSIONS_CSV_INVALID');
    expect(error.details).toEqual({ url: URL_A, line: 2 });
  });

  it('refuses a NUL byte, naming its line', () => {
    expect(errorOf(() => parseVersionsCsv(`${OLD_HEADER}\n${row('1')}\nx\0y\n`, URL_A)).message).toBe(
      `versions.csv ${URL_A}, line 3: contains a NUL byte`,
    );
  });

  it('reads a doubled quote in a quoted field as one quote, and a quote inside a field as text', () => {
    const text = `${OLD_HEADER}\nopenstack-nova,"a ""b"" c",${NOVA_SRC},d"e,${NOVA_DIST},SUCCESS,1\n`;
    expect(parseVersionsCsv(text, URL_A).get('openstack-nova')).toMatchObject({
      sourceRepo: 'a "b" c',
      distRepo: 'd"e',
    });
  });

  it('counts the lines of a quoted field that spans several, and of CRLF and lone CR line ends', () => {
    const spanning = `${OLD_HEADER}\nopenstack-glance,"r\nr\nr",${NOVA_SRC},d,${NOVA_DIST},SUCCESS,1\n${row('1')}\n`;
    const table = parseVersionsCsv(spanning, URL_A);
    expect(table.get('openstack-glance')).toMatchObject({ line: 2, sourceRepo: 'r\nr\nr' });
    expect(table.get('openstack-nova')).toMatchObject({ line: 5 });
    for (const end of ['\r\n', '\r']) {
      const text = [OLD_HEADER, row('1', 'a'), row('2', 'b')].join(end) + end;
      const rows = parseVersionsCsv(text, URL_A);
      expect(
        [...rows.values()].map((r) => [r.project, r.line, r.lastSuccessTimestamp]),
        JSON.stringify(end),
      ).toEqual([
        ['a', 2, '1'],
        ['b', 3, '2'],
      ]);
    }
  });

  it('keeps an empty last column, and reads a line holding only "" as a record of one empty field', () => {
    const parsed = parseVersionsCsv(`${OLD_HEADER}\nopenstack-nova,r,${NOVA_SRC},d,${NOVA_DIST},SUCCESS,\n`, URL_A);
    expect(parsed.get('openstack-nova')!.lastSuccessTimestamp).toBe('');
    expect(errorOf(() => parseVersionsCsv(`${OLD_HEADER}\n""\n`, URL_A)).message).toBe(
      `versions.csv ${URL_A}, line 2: 1 columns, at least 7 expected`,
    );
  });

  it('skips a byte-order mark, and reads header names with blanks around them', () => {
    expect(parseVersionsCsv(`\uFEFF${OLD_HEADER}\n${row('1')}\n`, URL_A).has('openstack-nova')).toBe(true);
    const spaced = OLD_HEADER.split(',')
      .map((name) => ` ${name} `)
      .join(',');
    expect(parseVersionsCsv(`${spaced}\n${row('1')}\n`, URL_A).has('openstack-nova')).toBe(true);
  });

  it('names a missing header column as empty, and cuts a long one at 80 characters', () => {
    expect(errorOf(() => parseVersionsCsv('Project,Source Repo\n', URL_A)).message).toBe(
      `versions.csv ${URL_A}, line 1: not a DLRN versions.csv header: column 3 should be 'Source Sha', found ""`,
    );
    expect(errorOf(() => parseVersionsCsv(`${'x'.repeat(200)}\n`, URL_A)).message).toBe(
      `versions.csv ${URL_A}, line 1: not a DLRN versions.csv header: column 1 should be 'Project', found "${'x'.repeat(80)}"`,
    );
  });

  it('refuses a row whose Project column is empty', () => {
    expect(errorOf(() => parseVersionsCsv(`${OLD_HEADER}\n${row('1', '')}\n`, URL_A)).message).toBe(
      `versions.csv ${URL_A}, line 2: the 'Project' column is empty`,
    );
  });

  it('takes full SHA-1 and SHA-256 hashes, and nothing longer, shorter or padded', () => {
    const pin = (sha: string) =>
      pinnedCommit(
        parseVersionsCsv(`${OLD_HEADER}\n${row('1').replace(NOVA_SRC, sha)}\n`, URL_A).get('openstack-nova')!,
      );
    expect(pin('a'.repeat(64)).commitHash).toBe('a'.repeat(64));
    for (const sha of ['a', `${NOVA_SRC}0`, `x${NOVA_SRC}`, 'z'.repeat(64), 'A'.repeat(40)])
      expect(() => pin(sha), sha).toThrow(VersionsCsvError);
    expect(errorOf(() => pin('b'.repeat(200))).message).toContain(
      `"Source Sha" of package "openstack-nova" is "${'b'.repeat(80)}", not`,
    );
  });

  it("takes every timestamp Python's float() reads as a finite, non-negative number, whole seconds kept", () => {
    const cases: [string, number][] = [
      ['1_671_296_928', 1_671_296_928],
      [' 12 ', 12],
      ['1.', 1],
      ['1.25e2', 125],
      ['1.2_5e2', 125],
      ['.25e2', 25],
      ['.2_55e3', 255],
      ['+7.9', 7],
      ['1.5e+9', 1.5e9],
      ['15E8', 1.5e9],
      ['1e10', 1e10],
      ['25e-1', 2],
    ];
    for (const [stamp, value] of cases) expect(stampOf(stamp), stamp).toBe(value);
    for (const stamp of ['0x10', '1__0', '_1', '1_', '1e', '.', '1.5.5', '1e1.5', 'None'])
      expect(() => stampOf(stamp), stamp).toThrow('invalid timestamp value');
  });
});
