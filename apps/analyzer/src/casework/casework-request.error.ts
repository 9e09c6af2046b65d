/**
 * A casework request (an exception, a case) that cannot be done, named with
 * the field or the record: `input` (refused as given), `not-found`, or
 * `conflict` (changed meanwhile, or not in a state that allows it). The CLI
 * prints it; the HTTP API answers 400 / 404 / 409.
 */
export class CaseworkRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'input' | 'not-found' | 'conflict' = 'input',
  ) {
    super(message);
  }
}
