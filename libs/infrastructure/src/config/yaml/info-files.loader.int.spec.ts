import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELEASES, configErrorFrom, writeTree } from '../../../../../test/support/config-fixtures.js';
import { loadInfoFiles } from './info-files.loader.js';
import { mergeInfoFiles } from './info.merger.js';

const configured = { file: 'projects.ini', section: 'rdoinfo_driver' };
const load = (dir: string, files = ['rdo.yml']) => loadInfoFiles({ dir, shown: dir }, files, configured);
const PKG = (project: string) =>
  `- project: ${project}\n  upstream: https://h/${project}\n  master-distgit: https://d/${project}\n  maintainers: [m@example.org]\n`;

describe('when a nested file imports a name that only exists at the repo root', () => {
  it('falls back to the root, as distroinfo resolves every import there', () => {
    const dir = writeTree({
      'rdo.yml': `import:\n- packages/core.yml\n${RELEASES}`,
      'packages/core.yml': `import:\n- shared/extra.yml\npackages:\n${PKG('nova')}`,
      'shared/extra.yml': `packages:\n${PKG('glance')}`,
    });
    expect(load(dir).map((doc) => doc.shown)).toEqual([
      join(dir, 'rdo.yml'),
      join(dir, 'packages/core.yml'),
      join(dir, 'shared/extra.yml'),
    ]);
  });
});

describe('when a nested file imports a name that exists beside it and at the root', () => {
  it('takes the one beside the including file', () => {
    const dir = writeTree({
      'rdo.yml': `import:\n- packages/core.yml\n${RELEASES}`,
      'packages/core.yml': 'import:\n- extra.yml\n',
      'packages/extra.yml': `packages:\n${PKG('nova')}`,
      'extra.yml': `packages:\n${PKG('glance')}`,
    });
    expect(load(dir).at(-1)?.shown).toBe(join(dir, 'packages/extra.yml'));
  });
});

describe('when two files import the same file', () => {
  it('loads it once, so its lists are not merged twice', () => {
    const dir = writeTree({
      'rdo.yml': `import:\n- a.yml\n- b.yml\n${RELEASES}packages:\n${PKG('nova')}`,
      'a.yml': 'import:\n- common.yml\n',
      'b.yml': 'import:\n- common.yml\n',
      'common.yml': 'packages:\n- project: nova\n  maintainers: [extra@example.org]\n',
    });
    const docs = load(dir);
    expect(docs).toHaveLength(4);
    expect(mergeInfoFiles(docs).packages.get('nova')?.value['maintainers']).toEqual([
      'm@example.org',
      'extra@example.org',
    ]);
  });
});

describe('when a file imports itself', () => {
  it('refuses the cycle at the import line', () => {
    const dir = writeTree({ 'rdo.yml': `${RELEASES}import:\n- rdo.yml\n` });
    const error = configErrorFrom(() => load(dir));
    expect(error).toMatchObject({ key: 'import[0]', line: 7 });
    expect(error.reason).toBe(`circular import: ${join(dir, 'rdo.yml')} → ${join(dir, 'rdo.yml')}`);
  });
});

describe('when an import is missing or not a file name', () => {
  it('refuses a missing file at the import that names it', () => {
    const dir = writeTree({ 'rdo.yml': 'import:\n- tags/zed.yml\n' });
    expect(configErrorFrom(() => load(dir))).toMatchObject({ key: 'import[0]', line: 2 });
  });

  it('refuses a remote-info import, which needs the network', () => {
    const dir = writeTree({ 'rdo.yml': 'import:\n- upstream: rdo.yml\n' });
    expect(configErrorFrom(() => load(dir)).reason).toContain('remote-info imports are not supported');
  });

  it('refuses a configured info file that does not exist, naming the INI option', () => {
    const dir = writeTree({ 'rdo.yml': RELEASES });
    expect(configErrorFrom(() => load(dir, ['deps.yml']))).toMatchObject({
      file: 'projects.ini',
      section: 'rdoinfo_driver',
      key: 'info_files',
    });
  });
});
