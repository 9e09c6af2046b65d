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

/** Runs `fn`; an error of one of `kinds` (a request the operator must correct) becomes a UserError with its message. */
export async function asUserError<T>(fn: () => Promise<T>, ...kinds: Array<abstract new (...args: never[]) => Error>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (kinds.some((k) => err instanceof k)) throw new UserError((err as Error).message);
    throw err;
  }
}
