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

/** An error class (its constructor may be private: only its prototype is used). */
type ErrorKind = { readonly prototype: Error };

/** Runs `fn`; an error of one of `kinds` (a request the operator must correct) becomes a UserError with its message. */
export async function asUserError<T>(fn: () => Promise<T>, ...kinds: ErrorKind[]): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && kinds.some((k) => Object.prototype.isPrototypeOf.call(k.prototype, err))) throw new UserError(err.message);
    throw err;
  }
}
