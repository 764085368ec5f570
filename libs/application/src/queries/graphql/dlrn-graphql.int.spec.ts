import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadModelStore } from '#domain/projections/index.js';
import { GraphqlExecutor } from './graphql.executor.js';
import { DISTRO, hashOf, projectedViews, T0 } from '../../../../../test/support/graphql.fixtures.js';
import { fromGlobalId, toGlobalId } from './relay.js';

type Row = Record<string, unknown>;
interface Answer {
  readonly status: number;
  readonly data: Record<string, Row[] | Row | null> | undefined;
  readonly errors: { message: string }[] | undefined;
}

describe("DLRN's GraphQL queries over projected events", () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlrn-graphql-'));
  let views: ReadModelStore;
  let executor: GraphqlExecutor;

  const run = async (query: string, variables: Record<string, unknown> | null = null): Promise<Answer> => {
    const answer = await executor.run({ query, variables, operationName: null });
    const body = JSON.parse(JSON.stringify(answer.body)) as Omit<Answer, 'status'>;
    return { status: answer.status, data: body.data, errors: body.errors };
  };
  const list = async (query: string, field: string): Promise<Row[]> => {
    const answer = await run(query);
    expect(answer.errors, query).toBeUndefined();
    return answer.data![field] as Row[];
  };

  beforeAll(async () => {
    views = await projectedViews(dir);
    executor = new GraphqlExecutor(views, () => undefined);
  });
  afterAll(async () => {
    await views?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('commits', () => {
    it('lists the counted builds newest first, rechecked and unbuilt commits left out', async () => {
      const commits = await list('{ commits { id projectName status } }', 'commits');
      expect(commits.map((c) => c.projectName)).toEqual([
        'puppet-apache',
        'openstack-nova',
        'openstack-nova',
        'puppet-apache',
        'puppet-apache',
        'puppet-stdlib',
        'python-alembic',
        'puppet-apache',
        'python-novaclient',
        'puppet-stdlib',
        'python-alembic',
        'python-pysaml2',
      ]);
      const ids = commits.map((c) => Number(fromGlobalId(c.id as string).id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(fromGlobalId(commits[0]!.id as string).type).toBe('Commit');
    });

    it('filters by project, component, status and hashes as DLRN does', async () => {
      const count = async (args: string) => (await list(`{ commits(${args}) { id } }`, 'commits')).length;
      expect(await count('projectName: "python-alembic"')).toBe(2);
      expect(await count('projectName: "python-bar"')).toBe(0);
      expect(await count('component: "tripleo"')).toBe(6);
      expect(await count('status: "RETRY"')).toBe(1);
      expect(await count(`commitHash: "${hashOf('stdlib-2')}"`)).toBe(1);
      expect(await count(`distroHash: "${DISTRO}"`)).toBe(12);
      expect(await count('projectName: "", status: ""')).toBe(12);
    });

    it('matches extendedHash as an SQL LIKE pattern', async () => {
      const count = async (pattern: string) =>
        (await list(`{ commits(extendedHash: ${JSON.stringify(pattern)}) { id } }`, 'commits')).length;
      expect(await count('1234567890_1234567890')).toBe(1);
      expect(await count('1234567890_%')).toBe(1);
      expect(await count('%_1234567890')).toBe(2);
      expect(await count('_234567890%')).toBe(1);
      expect(await count('%')).toBe(2);
      expect(await count('abcdef%')).toBe(0);
      expect(await count('1234567890')).toBe(0);
      expect(await count('%%%%%%%%%%%%%%%%%%%%%%%%%%%%!')).toBe(0);
    });

    it('pages a wildcard match with offset and limit, newest first', async () => {
      const ids = async (args: string) =>
        (await list(`{ commits(extendedHash: "%", ${args}) { id } }`, 'commits')).map((c) => c.id);
      const both = await ids('limit: 100');
      expect(both).toHaveLength(2);
      expect(await ids('offset: 1')).toEqual([both[1]]);
      expect(await ids('limit: 1')).toEqual([both[0]]);
      expect(await ids('offset: 2')).toEqual([]);
      expect(await ids('limit: 0')).toEqual([]);
    });

    it('pages with offset and limit', async () => {
      expect(await list('{ commits(offset: 2) { id } }', 'commits')).toHaveLength(10);
      expect(await list('{ commits(projectName: "python-alembic", limit: 1) { id } }', 'commits')).toHaveLength(1);
      expect(await list('{ commits(limit: 0) { id } }', 'commits')).toHaveLength(0);
      expect(await list('{ commits(limit: -1, offset: -5) { id } }', 'commits')).toHaveLength(12);
    });

    it("maps a build to DLRN's columns, and only the fields asked for", async () => {
      const [stdlib] = await list(
        '{ commits(projectName: "puppet-stdlib") { status component commitHash distroHash artifacts flags type } }',
        'commits',
      );
      const hash = hashOf('stdlib-2');
      const dir = `repos/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}_${DISTRO.slice(0, 8)}`;
      expect(stdlib).toEqual({
        status: 'SUCCESS',
        component: 'tripleo',
        commitHash: hash,
        distroHash: DISTRO,
        artifacts: `${dir}/puppet-stdlib-1.0-1.src.rpm,${dir}/puppet-stdlib-1.0-1.noarch.rpm`,
        flags: 0,
        type: 'rpm',
      });
      const [failed] = await list(
        '{ commits(projectName: "python-novaclient") { artifacts notes dtBuild repoDir distgitDir } }',
        'commits',
      );
      expect(failed).toMatchObject({
        artifacts: null,
        notes: 'Error: rpmbuild failed',
        repoDir: null,
        distgitDir: null,
      });
      expect(failed!.dtBuild).toBeGreaterThan(T0);
      const alembic = await list('{ commits(projectName: "python-alembic") { commitHash flags } }', 'commits');
      expect(alembic).toEqual([
        { commitHash: hashOf('alembic-2'), flags: 0 },
        { commitHash: hashOf('alembic-1'), flags: 2 },
      ]);
    });
  });

  describe('civote', () => {
    it('lists votes and claims newest first, each naming the commit it was cast on', async () => {
      const votes = await list(
        '{ civote { ciName ciVote ciInProgress user commitId commit { commitHash } } }',
        'civote',
      );
      expect(votes.map((v) => [v.ciName, v.ciVote, v.ciInProgress, v.user])).toEqual([
        ['old-ci', true, false, 'ci'],
        ['another-ci', false, false, 'bar'],
        ['current-passed-ci', false, true, 'foo'],
        ['current-passed-ci', true, false, 'ci'],
      ]);
      expect(votes.map((v) => (v.commit as Row).commitHash)).toEqual(
        ['alembic-1', 'stdlib-2', 'alembic-2', 'alembic-2'].map(hashOf),
      );
      const [alembic2] = await list(`{ commits(commitHash: "${hashOf('alembic-2')}") { id } }`, 'commits');
      expect(votes[2]!.commitId).toBe(Number(fromGlobalId(alembic2!.id as string).id));
    });

    it('filters by commit id, name, verdict, claim, component and time', async () => {
      const [alembic2] = await list(`{ commits(commitHash: "${hashOf('alembic-2')}") { id } }`, 'commits');
      const commitId = Number(fromGlobalId(alembic2!.id as string).id);
      const count = async (args: string) => (await list(`{ civote(${args}) { id } }`, 'civote')).length;
      expect(await count(`commitId: ${commitId}`)).toBe(2);
      expect(await count('ciName: "another-ci"')).toBe(1);
      expect(await count('ciVote: true')).toBe(2);
      expect(await count('ciVote: false')).toBe(2);
      expect(await count('ciInProgress: true')).toBe(1);
      expect(await count('ciInProgress: false')).toBe(3);
      expect(await count('component: "tripleo"')).toBe(1);
      expect(await count('user: "foo"')).toBe(1);
      expect(await count(`timestamp: ${T0 + 10_000}`)).toBe(1);
      expect(await count(`where: { timestamp: { gt: ${T0 + 10_000} } }`)).toBe(3);
      expect(await count(`where: { timestamp: { gte: ${T0 + 10_060}, lt: ${T0 + 10_180} } }`)).toBe(2);
      expect(await count(`timestamp: ${T0 + 10_000}, where: { timestamp: { eq: ${T0 + 10_060} } }`)).toBe(0);
      expect(await count('offset: 3')).toBe(1);
      expect(await count('limit: 2')).toBe(2);
    });

    it('gives no votes for a commit id whose build was not voted on', async () => {
      const [failed] = await list('{ commits(status: "FAILED", limit: 1) { id } }', 'commits');
      expect(await list(`{ civote(commitId: ${fromGlobalId(failed!.id as string).id}) { id } }`, 'civote')).toEqual([]);
      expect(await list('{ civote(commitId: 999999) { id } }', 'civote')).toEqual([]);
    });

    it("shows a commit's votes as a Relay connection, oldest first", async () => {
      const query = `{ commits(commitHash: "${hashOf('alembic-2')}") {
        civotes { edges { cursor node { ciName ciInProgress } } pageInfo { hasNextPage endCursor } } } }`;
      const [commit] = await list(query, 'commits');
      expect(commit!.civotes).toEqual({
        edges: [
          { cursor: 'YXJyYXljb25uZWN0aW9uOjA=', node: { ciName: 'current-passed-ci', ciInProgress: false } },
          { cursor: 'YXJyYXljb25uZWN0aW9uOjE=', node: { ciName: 'current-passed-ci', ciInProgress: true } },
        ],
        pageInfo: { hasNextPage: false, endCursor: 'YXJyYXljb25uZWN0aW9uOjE=' },
      });
      const paged = `{ commits(commitHash: "${hashOf('alembic-2')}") { civotes(first: 1) { edges { node { ciInProgress } } pageInfo { hasNextPage } } } }`;
      expect((await list(paged, 'commits'))[0]!.civotes).toEqual({
        edges: [{ node: { ciInProgress: false } }],
        pageInfo: { hasNextPage: true },
      });
    });

    it('refuses a commit id that is not an Int, as a 400', async () => {
      const answer = await run('{ civote(commitId: "TextnotInt") { id } }');
      expect(answer.status).toBe(400);
      expect(answer.data).toBeUndefined();
      expect(answer.errors![0]!.message).toMatch(/Int cannot represent/);
    });
  });

  describe('civoteAgg', () => {
    it('lists aggregate votes newest first, filtered as DLRN does', async () => {
      const votes = await list(
        '{ civoteAgg(refHash: "12345678") { refHash ciName ciUrl ciVote ciInProgress notes } }',
        'civoteAgg',
      );
      expect(votes).toEqual([
        {
          refHash: '12345678',
          ciName: 'phase2-ci',
          ciUrl: 'http://dummyci.example.com/phase2-ci',
          ciVote: false,
          ciInProgress: false,
          notes: '',
        },
        {
          refHash: '12345678',
          ciName: 'phase1-ci',
          ciUrl: 'http://dummyci.example.com/phase1-ci',
          ciVote: true,
          ciInProgress: false,
          notes: '',
        },
      ]);
      expect(await list('{ civoteAgg { id } }', 'civoteAgg')).toHaveLength(3);
      expect(await list('{ civoteAgg(ciVote: true) { id } }', 'civoteAgg')).toHaveLength(2);
      expect(await list('{ civoteAgg(ciInProgress: true) { id } }', 'civoteAgg')).toHaveLength(0);
      expect(await list('{ civoteAgg(offset: 2) { id } }', 'civoteAgg')).toHaveLength(1);
    });

    it('answers the votes of the most recently voted hash with lastRefHash', async () => {
      expect(await list('{ civoteAgg(lastRefHash: true) { refHash ciName } }', 'civoteAgg')).toEqual([
        { refHash: 'abcdef12', ciName: 'phase1-ci' },
      ]);
      expect(await list('{ civoteAgg(lastRefHash: false) { id } }', 'civoteAgg')).toHaveLength(3);
    });

    it('reports lastRefHash combined with refHash as an error of the field', async () => {
      const answer = await run('{ civoteAgg(lastRefHash: true, refHash: "12345678") { id } }');
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ civoteAgg: null });
      expect(answer.errors![0]!.message).toBe('lastRefHash cannot be combined with refHash, timestamp or where');
    });
  });

  describe('packageStatus', () => {
    it('reports every known package by name, with the last success and first failure of failing ones', async () => {
      const statuses = await list(
        '{ packageStatus { id projectName status lastSuccess firstFailureCommit } }',
        'packageStatus',
      );
      const [apache] = await list(
        '{ commits(projectName: "puppet-apache", status: "SUCCESS") { dtBuild } }',
        'commits',
      );
      const iso = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 19);
      expect(statuses).toEqual([
        { id: '0', projectName: 'openstack-nova', status: 'SUCCESS', lastSuccess: null, firstFailureCommit: null },
        {
          id: '1',
          projectName: 'puppet-apache',
          status: 'RETRY',
          lastSuccess: iso(apache!.dtBuild as number),
          firstFailureCommit: hashOf('apache-2'),
        },
        { id: '2', projectName: 'puppet-stdlib', status: 'SUCCESS', lastSuccess: null, firstFailureCommit: null },
        { id: '3', projectName: 'python-alembic', status: 'SUCCESS', lastSuccess: null, firstFailureCommit: null },
        { id: '4', projectName: 'python-kombu', status: 'NO_BUILD', lastSuccess: null, firstFailureCommit: null },
        {
          id: '5',
          projectName: 'python-novaclient',
          status: 'FAILED',
          lastSuccess: '1970-01-01T00:00:00',
          firstFailureCommit: hashOf('novaclient-1'),
        },
        { id: '6', projectName: 'python-pysaml2', status: 'SUCCESS', lastSuccess: null, firstFailureCommit: null },
      ]);
    });

    it('filters by status, keeping ids of the whole list, and by any project name', async () => {
      const rows = async (args: string) =>
        list(`{ packageStatus(${args}) { id projectName status } }`, 'packageStatus');
      expect(await rows('status: "NO_BUILD"')).toEqual([{ id: '4', projectName: 'python-kombu', status: 'NO_BUILD' }]);
      expect(await rows('status: "RETRY"')).toEqual([{ id: '1', projectName: 'puppet-apache', status: 'RETRY' }]);
      expect(await rows('status: "FAILED"')).toEqual([{ id: '5', projectName: 'python-novaclient', status: 'FAILED' }]);
      expect(await rows('status: "SUCCESS"')).toHaveLength(4);
      expect(await rows('projectName: "python-alembic"')).toEqual([
        { id: '0', projectName: 'python-alembic', status: 'SUCCESS' },
      ]);
      expect(await rows('projectName: "python-bar"')).toEqual([
        { id: '0', projectName: 'python-bar', status: 'NO_BUILD' },
      ]);
      expect((await run('{ packageStatus(statuserror: "RETRY") { id } }')).status).toBe(400);
    });
  });

  describe('node', () => {
    it('finds commits and votes by their global ID', async () => {
      const [commit] = await list('{ commits(limit: 1) { id projectName } }', 'commits');
      const answer = await run('query($id: ID!) { node(id: $id) { id ... on Commit { projectName } } }', {
        id: commit!.id,
      });
      expect(answer.data).toEqual({ node: commit });
      const [vote] = await list('{ civote(limit: 1) { id ciName } }', 'civote');
      expect((await run(`{ node(id: "${vote!.id as string}") { ... on CIVote { ciName } } }`)).data).toEqual({
        node: { ciName: vote!.ciName },
      });
      expect((await run(`{ node(id: "${toGlobalId('Commit', 999_999)}") { id } }`)).data).toEqual({ node: null });
    });
  });
});
