// Options for one evaluation, shared by the CLI, the IPC contract and the engine.

import type { VerifyMode } from './report.ts';

export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

export interface EvaluateOptions {
  /** Client IP of the SMTP connection at the receiving boundary. */
  ip?: string;
  helo?: string;
  /** MAIL FROM address; '' is the null sender <>. undefined: derive from Return-Path. */
  mailFrom?: string;
  /** Which Received hop (1 = topmost) is the receiving boundary; default: the topmost with an IP. */
  hop?: number;
  /** Force headers-only mode; otherwise detected (no header/body separator). */
  headersOnly?: boolean;
  /** Evaluate as of this time (ISO 8601); default now. */
  at?: string;
  /** strict (default): today's RFCs. lenient: what most deployed verifiers accept. */
  mode?: VerifyMode;
  /** Reject inputs larger than this (bytes). */
  maxBytes?: number;
  /** The receiving host's name, used as authserv-id in the fresh Authentication-Results. */
  authservId?: string;
}

/**
 * A run of an mbox's messages, positions `start` … `start + count - 1` (0-based, in mbox order), so a
 * page can show a large mbox's first verdicts (and its progress) long before the last is evaluated.
 * A single message is position 0.
 */
export interface MessageSlice {
  start: number;
  count: number;
}
