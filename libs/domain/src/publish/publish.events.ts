import type { DomainEvent } from '../shared/event.js';

/** The build a worker offers the central service (`[service] publish_to`), as both events name it. */
export interface PublishedBuildRef {
  /** The central API's base URL, without credentials: the stream is `publish-<target>`. */
  readonly target: string;
  /** The worker's build stream and build id. */
  readonly buildStream: string;
  readonly buildId: string;
  /** Global position of the worker's `BuildSucceeded`: the publisher's cursor. */
  readonly position: number;
  readonly package: string;
  readonly commitHash: string;
  readonly distroHash: string;
  /** What the central service was asked to import: `<baseurl>/<hashed repo dir>`. */
  readonly repoUrl: string;
}

/** The central service imported the build (it answered `POST /api/remote/import` with 201). */
export type BuildPublished = DomainEvent<'BuildPublished', PublishedBuildRef>;

/**
 * The central service refused the import or failed it (it answered, with `status`). After
 * `maxAttempts` refusals of one build the publisher gives up on it (`gaveUp`) and goes on with
 * the next; before that it keeps the order and tries the same build again on the next pass. An
 * unreachable central service records nothing (the next pass tries again).
 */
export type BuildPublishFailed = DomainEvent<
  'BuildPublishFailed',
  PublishedBuildRef & {
    readonly status: number;
    /** The central service's answer (`message`), bounded. */
    readonly message: string;
    /** 1 for the first refusal of this build. */
    readonly attempt: number;
    readonly gaveUp: boolean;
  }
>;

export type PublishEvent = BuildPublished | BuildPublishFailed;

export const PUBLISH_EVENT_TYPES = ['BuildPublished', 'BuildPublishFailed'] as const;
