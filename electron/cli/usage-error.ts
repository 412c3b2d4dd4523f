/** Bad usage or input: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
