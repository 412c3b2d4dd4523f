// The error thrown when an input (or a given envelope) cannot be evaluated at all.
// Carries a stable code for the CLI/IPC and a message written for a person.

import type { InputErrorCode } from '../../../shared/report.ts';

export class InputError extends Error {
  code: InputErrorCode;
  constructor(code: InputErrorCode, message: string) {
    super(message);
    this.name = 'InputError';
    this.code = code;
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
