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
