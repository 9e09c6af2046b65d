/**
 * Bad input from the user (a wrong flag, a missing file, an invalid value):
 * printed as one line, exit code 2. Anything else is a fault, exit code 1.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
