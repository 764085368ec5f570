import { describe, expect, it } from 'vitest';
import { aggregateReposProjection } from './aggregate-repos.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

const published = (name: string, aggregateHash: string) => ({
  name,
  aggregateHash,
  aggregateDir: `${name}/${aggregateHash.slice(0, 2)}/${aggregateHash.slice(2, 4)}/${aggregateHash}`,
  components: [{ component: 'common', repoDir: 'component/common/ab/cd/abcd_12345678' }],
});

describe('aggregate_repos projection', () => {
  describe('when current and consistent published the same aggregate, then current a new one', () => {
    const log = new EventLog();
    const first = log.append('aggregate-current', 'AggregateRepoPublished', published('current', 'aa11'));
    log.append('aggregate-consistent', 'AggregateRepoPublished', published('consistent', 'aa11'));
    const second = log.append('aggregate-current', 'AggregateRepoPublished', published('current', 'bb22'));

    it('knows each hash once, with the names that published it', () => {
      const docs = given(log.events).then(aggregateReposProjection);
      expect([...docs.keys()].sort()).toEqual(['aa11', 'bb22']);
      expect(docs.get('aa11')).toMatchObject({ names: ['current', 'consistent'], position: first.position });
      expect(docs.get('bb22')).toMatchObject({ names: ['current'], aggregateDir: 'current/bb/22/bb22' });
      expect(rowsOf(aggregateReposProjection, docs).get('bb22')).toEqual({ position: second.position });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(aggregateReposProjection)).toEqual(
        given(log.events).then(aggregateReposProjection),
      );
    });
  });
});
