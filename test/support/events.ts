import { randomUUID } from 'node:crypto';
import type { CommitDiscovered } from '#domain/build/build.events.js';
import type { DomainEvent } from '#domain/shared/event.js';
import type { PackageInfo } from '#domain/package/package-info.js';
import { uuidv7 } from '#infrastructure/ids/uuid-v7.id-generator.js';

/** A well-formed event for store tests; the id is a fresh UUIDv7 unless given. */
export function testEvent(type: string, data: object = {}, eventId: string = uuidv7()): DomainEvent {
  return {
    type,
    data,
    metadata: {
      schemaVersion: 1,
      eventId,
      occurredAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: null,
      actor: 'test',
    },
  };
}

/** A category unique to one test run, so tests can share a server (KurrentDB) safely. */
export function uniqueCategory(label: string): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}_${label}`;
}

type CommitData = CommitDiscovered['data'];

/**
 * The data of a commit build's CommitDiscovered (version 2): `fields`, and for the rest an rpm of
 * the master branch whose project is its package, dated 1, with every optional field null.
 */
export function commitData(
  fields: Pick<CommitData, 'package' | 'commitHash' | 'distroHash'> & Partial<CommitData>,
): CommitData {
  return {
    project: fields.package,
    type: 'rpm',
    extendedHash: null,
    dtCommit: 1,
    dtDistro: 1,
    dtExtended: null,
    commitBranch: 'master',
    component: null,
    upstreamUrl: null,
    distgitUrl: null,
    versionsCsv: null,
    purpose: { kind: 'commit' },
    ...fields,
  };
}

/** A package of the package list: `name` is also its project, its URLs under example.org. */
export function packageInfo(name: string): PackageInfo {
  return {
    name,
    project: name,
    upstream: `https://example.org/${name}`,
    'master-distgit': `https://example.org/${name}-distgit`,
    maintainers: [],
  };
}
