import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PublishRequest } from '#domain/repo/repo.ports.js';
import { buildNoarchRpm, type BuiltRpm } from '../../../../test/support/rpm-fixtures.js';
import { FsRepoPublisher } from './fs-repo.publisher.js';
import { primaryLocations, RepodataCheckedPublisher } from './repodata-checked.publisher.js';

const DIR = 'ab/cd/abcdef0123456789abcdef0123456789abcdef01_12345678';
const STAGING = 'ab/cd/.import-abcdef0123456789abcdef0123456789abcdef01_12345678-x';

describe('RepodataCheckedPublisher (real createrepo_c)', () => {
  let cache: string;
  let rpm: BuiltRpm;
  let reposDir: string;

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'dlrn-repodata-'));
    rpm = await buildNoarchRpm({ outDir: cache, name: 'python-fresh', version: '2.0' });
  });
  afterAll(() => rm(cache, { recursive: true, force: true }));

  beforeEach(async () => {
    reposDir = join(await mkdtemp(join(cache, 'data-')), 'repos');
    await mkdir(join(reposDir, STAGING), { recursive: true });
    await copyFile(rpm.rpm, join(reposDir, STAGING, `${rpm.nvr}.noarch.rpm`));
    await copyFile(rpm.srpm, join(reposDir, STAGING, `${rpm.nvr}.src.rpm`));
  });

  const request = (): PublishRequest => ({
    reposDir,
    repoDir: DIR,
    stagingDir: join(reposDir, STAGING),
    linkedArtifacts: [],
    versions: [],
    commitYaml: { id: 1, project_name: 'python-fresh', commit_hash: 'abcdef01', extended_hash: null, flags: 0 },
    repoFile: null,
    withRepodata: true,
    includeSrpm: false,
  });

  describe('when every RPM of the directory is readable', () => {
    it('publishes, the repodata listing exactly those RPMs (source RPMs as configured)', async () => {
      await new RepodataCheckedPublisher().publish(request());
      expect(await primaryLocations(join(reposDir, DIR))).toEqual([`${rpm.nvr}.noarch.rpm`]);
    });
  });

  describe('when createrepo_c cannot read one of the RPMs', () => {
    beforeEach(async () => {
      await writeFile(join(reposDir, STAGING, 'junk-1.0-1.el9.noarch.rpm'), 'not an rpm');
    });

    it('the plain publisher publishes a repository lacking it (the defect)', async () => {
      await new FsRepoPublisher().publish(request());
      expect(await primaryLocations(join(reposDir, DIR))).toEqual([`${rpm.nvr}.noarch.rpm`]);
    });

    it('is refused naming the file, and nothing is published', async () => {
      await expect(new RepodataCheckedPublisher().publish(request())).rejects.toMatchObject({
        code: 'REMOTE_RPM_INVALID',
        message: 'repodata: createrepo_c left out junk-1.0-1.el9.noarch.rpm',
      });
      expect(existsSync(join(reposDir, DIR))).toBe(false);
    });
  });
});
