// What the page holds about each loaded file.
import type { EvaluationResult, SignMessageResult } from '../../shared/ipc/contract.ts';
import type { EvaluateOptions } from '../../shared/evaluate-options.ts';

export type EnvelopeOverrides = Pick<EvaluateOptions, 'ip' | 'helo' | 'mailFrom' | 'hop'>;

export interface LoadedFile {
  id: string;
  fileName: string;
  size: number;
  /** The file's bytes, untouched; encoded for the host off the main thread. */
  blob: Blob;
  /** The first bytes (all of a file up to HEAD_BYTES): what the Raw tab shows and offsets point into. */
  head: Uint8Array;
  headersOnly: boolean;
  status: 'reading' | 'evaluating' | 'done' | 'error';
  /** The whole input was rejected (unreadable, binary, bad zone…): shown in the list. */
  error?: { code: string; message: string };
  result?: EvaluationResult;
  /**
   * While an mbox is evaluated slice by slice: how many of its messages are done. `loading`: a new
   * file, whose verdicts so far are in `result` (final, not being re-evaluated); otherwise a
   * re-evaluation, and `result` is still the last one.
   */
  progress?: { done: number; total: number; loading: boolean };
  /** The previous result, when the latest came from a what-if or envelope change. */
  previous?: EvaluationResult;
  overrides: EnvelopeOverrides;
  /** The latest change could not be evaluated (e.g. a bad what-if zone); the last good result stays. */
  lastError?: { code: string; message: string };
  /** The mode and DNS settings `result` was computed with. */
  configKey: string;
  /** performance.now() when the file arrived, for the verdict-painted mark. */
  receivedAt: number;
}

export interface Selection {
  fileId: string;
  index: number;
}

let counter = 0;
export function newId(): string {
  counter += 1;
  return `f${counter}`;
}

/** The signing lab's latest result, shown in the inspector's Signed output tab for its message. */
export interface SignedOutput {
  fileId: string;
  index: number;
  fileName: string;
  /** The bytes that were signed, for the diff. */
  original: Uint8Array;
  result: SignMessageResult;
}
