import { beforeAll, describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import {
  aggregateComponents,
  aggregateDecider,
  aggregateDirOf,
  concatAggregate,
  type AggregatePart,
  type PublishAggregate,
} from './aggregate-repo.js';

const HEADER =
  'Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR';

const part = (component: string, repoFile: string | null, versionsCsv: string | null): AggregatePart => ({
  component,
  repoDir: `component/${component}/ab/cd/abcd_12345678`,
  repoFile,
  versionsCsv,
});

describe('aggregate components (DLRN: commits ∩ package list, sorted)', () => {
  it('keeps the components known and listed, sorted by code point, without null or None', () => {
    expect(
      aggregateComponents(
        ['tripleo', 'baremetal', null, 'None', 'Zeta', 'gone'],
        ['tripleo', 'baremetal', 'Zeta', null],
      ),
    ).toEqual(['Zeta', 'baremetal', 'tripleo']);
  });

  it('keeps every known component when no package list is given', () => {
    expect(aggregateComponents(['b', 'a', 'b'])).toEqual(['a', 'b']);
  });

  it('leaves out null and the string None even when no package list is given', () => {
    expect(aggregateComponents(['cloud', null, 'None', 'baremetal'])).toEqual(['baremetal', 'cloud']);
  });

  it('sorts components given in any order by code point, capitals first', () => {
    const sorted = ['Zeta', 'alpha', 'baremetal', 'cloud', 'compute', 'network', 'tripleo'];
    for (const known of [
      [...sorted].reverse(),
      ['cloud', 'tripleo', 'alpha', 'Zeta', 'network', 'baremetal', 'compute'],
    ]) {
      expect(aggregateComponents(known)).toEqual(sorted);
      expect(aggregateComponents(known, sorted)).toEqual(sorted);
    }
  });
});

describe('the aggregated texts (DLRN aggregate_repo_files)', () => {
  describe('when every component has its files', () => {
    // Joined in beforeAll, not while vitest collects the file (a mutant is active only for the tests).
    let texts: ReturnType<typeof concatAggregate>;
    beforeAll(() => {
      texts = concatAggregate([
        part('a', '[delorean-component-a]\nname=x\n', `${HEADER}\npkg-a,u,1,d,2,SUCCESS,10,a,None,\n`),
        part('b', '[delorean-component-b]\nname=y\n', `${HEADER}\npkg-b,u,3,d,4,FAILED,11,b,None,\n`),
      ]);
    });

    it('puts one blank line after each .repo text', () => {
      expect(texts.repoText).toBe('[delorean-component-a]\nname=x\n\n[delorean-component-b]\nname=y\n\n');
    });

    it('joins the data lines of each versions.csv under one header', () => {
      expect(texts.versionsCsv).toBe(`${HEADER}\npkg-a,u,1,d,2,SUCCESS,10,a,None,\npkg-b,u,3,d,4,FAILED,11,b,None,\n`);
    });

    it('names both components as members', () => {
      expect(texts.members.map((m) => m.component)).toEqual(['a', 'b']);
    });
  });

  describe('when a component has no .repo file (built with --no-repo)', () => {
    it('leaves it out of the text and the members but keeps its versions.csv lines', () => {
      const texts = concatAggregate([part('a', null, `${HEADER}\npkg-a\n`), part('b', 'B\n', null)]);
      expect(texts.repoText).toBe('B\n\n');
      expect(texts.members.map((m) => m.component)).toEqual(['b']);
      expect(texts.versionsCsv).toBe(`${HEADER}\npkg-a\n`);
    });
  });

  describe('when a versions.csv lacks its final newline (readlines()[1:])', () => {
    it('glues its last line to the next file’s first data line, as Python does', () => {
      const texts = concatAggregate([part('a', null, `${HEADER}\nlast-a`), part('b', null, `${HEADER}\nfirst-b\n`)]);
      expect(texts.versionsCsv).toBe(`${HEADER}\nlast-afirst-b\n`);
    });

    it('takes nothing from a file holding only a header', () => {
      expect(concatAggregate([part('a', null, HEADER)]).versionsCsv).toBe(`${HEADER}\n`);
    });
  });

  it('shards the aggregate directory by the hash, under the name', () => {
    expect(aggregateDirOf('current', '0123456789abcdef0123456789abcdef')).toBe(
      'current/01/23/0123456789abcdef0123456789abcdef',
    );
  });
});

const spec = deciderSpec(aggregateDecider);
const publish = (aggregateHash: string): PublishAggregate['data'] => ({
  name: 'current',
  aggregateHash,
  aggregateDir: aggregateDirOf('current', aggregateHash),
  components: [{ component: 'a', repoDir: 'component/a/ab/cd/abcd_12345678' }],
});

describe('the aggregate of a name', () => {
  describe('when it was never published', () => {
    it('records it', () => {
      spec
        .given([])
        .when({ type: 'PublishAggregate', data: publish('h1') })
        .then([{ type: 'AggregateRepoPublished', data: publish('h1') }]);
    });
  });

  describe('when the hash is the one last published', () => {
    it('records nothing', () => {
      spec
        .given([{ type: 'AggregateRepoPublished', data: publish('h1') }])
        .when({ type: 'PublishAggregate', data: publish('h1') })
        .thenNothingHappens();
    });
  });

  describe('when the hash goes back to an older one', () => {
    it('records it again: the name changed', () => {
      spec
        .given([
          { type: 'AggregateRepoPublished', data: publish('h1') },
          { type: 'AggregateRepoPublished', data: publish('h2') },
        ])
        .when({ type: 'PublishAggregate', data: publish('h1') })
        .then([{ type: 'AggregateRepoPublished', data: publish('h1') }]);
    });
  });
});
