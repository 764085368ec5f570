import type { BisectionTrigger } from '#domain/bisection/bisection.events.js';
import { DomainError } from '#domain/shared/errors.js';

/** What a start asks for. `good` and `bad`: full upstream commit hashes or unique prefixes. */
export interface StartBisectionRequest {
  readonly package: string;
  readonly good: string;
  readonly bad: string;
  readonly trigger: BisectionTrigger;
  /** The user who asked (null: anonymous; the service itself for `auto`). */
  readonly actor: string | null;
}

/** Where a bisection stands, as its stream says. */
export type BisectionOutcome = 'running' | 'culprit' | 'inconclusive';

export interface StartBisectionResult {
  /** `bisection-<package>@<good>_<bad>` with both full hashes: the stream of this bisection. */
  readonly bisectionId: string;
  /** False when this package/good/bad had been started before: nothing new was recorded. */
  readonly started: boolean;
  readonly package: string;
  /** Both ends, resolved to full hashes. */
  readonly good: string;
  readonly bad: string;
  /** First-parent commits after good up to and including bad, oldest first. */
  readonly candidates: readonly string[];
  readonly outcome: BisectionOutcome;
  /** The culprit's full hash once identified. */
  readonly culprit: string | null;
  /** The inconclusive reason (`different_failure`, `not_an_ancestor`…) once ended so. */
  readonly reason: string | null;
  /** The log position of what was recorded (the stream's last event when nothing new was). */
  readonly position: number | null;
}

/**
 * Why a bisection cannot be started; nothing was recorded. The API answers 400 (UNKNOWN_PACKAGE:
 * 404), the CLI exits 1 with the message.
 */
export type BisectionRefusalCode =
  | 'UNKNOWN_PACKAGE'
  /** good/bad is not a hexadecimal hash or prefix. */
  | 'INVALID_COMMIT'
  /** No such commit in the package's upstream clone (or the clone does not exist yet). */
  | 'UNKNOWN_COMMIT'
  | 'AMBIGUOUS_COMMIT';

export class BisectionRefusedError extends DomainError {
  constructor(code: BisectionRefusalCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(code, message, details);
  }
}
