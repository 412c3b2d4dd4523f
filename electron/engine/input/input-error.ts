// The error thrown when an input (or a given envelope) cannot be evaluated at all.
// Carries a stable code for the CLI/IPC and a message written for a person.

import type { InputErrorCode } from '../../../shared/report.ts';
import { CodedError } from '../../../shared/coded-error.ts';

export class InputError extends CodedError<InputErrorCode> {
  constructor(code: InputErrorCode, message: string) {
    super('InputError', code, message);
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
