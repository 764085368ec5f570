import type { BisectionEnd, BisectionTrigger, BisectionVerdict } from './bisection.events.js';

/** A step's build was asked for and its result is awaited. */
export interface PendingStep {
  readonly step: number;
  readonly commitHash: string;
  readonly distroHash: string;
  /** Index of the commit in `candidates`. */
  readonly index: number;
}

export interface StepResult {
  readonly step: number;
  readonly commitHash: string;
  readonly buildId: string;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly verdict: BisectionVerdict;
}

/** What a bisection stream folds to. */
export type BisectionState =
  | { readonly phase: 'none' }
  | {
      readonly phase: 'running' | 'culprit' | 'inconclusive';
      readonly bisectionId: string;
      readonly package: string;
      readonly good: BisectionEnd;
      readonly bad: BisectionEnd;
      readonly candidates: readonly string[];
      readonly trigger: BisectionTrigger;
      /**
       * Index in `candidates` of the last commit known good (-1: `good` itself) and of the first
       * known bad (`candidates.length - 1`: `bad` itself). The culprit is found when they touch.
       */
      readonly lo: number;
      readonly hi: number;
      readonly pending: PendingStep | null;
      readonly results: readonly StepResult[];
      readonly culprit: string | null;
      readonly reason: string | null;
    };

export type StartedBisection = Exclude<BisectionState, { phase: 'none' }>;
