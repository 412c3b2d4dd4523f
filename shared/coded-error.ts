// An error with a machine-readable code (what callers, the CLI and the IPC boundary branch on) and
// a message meant for the user. The engine's and services' error kinds extend it, each giving its
// name: a bundler's minifier renames classes, so the name is not taken from the class.

export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  constructor(name: string, code: C, message: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}
