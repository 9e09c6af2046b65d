import { asUserError, UserError } from './errors';

class RequestError extends Error {}
class OtherRequestError extends Error {}

describe('asUserError: a request the operator must correct is a one-line error with exit 2, a fault stays a fault', () => {
  it('turns an error of a listed kind into a UserError with its message', async () => {
    const err = await asUserError(
      () => Promise.reject(new OtherRequestError('理由を記入してください')),
      RequestError,
      OtherRequestError,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ message: '理由を記入してください', exitCode: 2 });
  });

  it('recognises a kind whose constructor is private (made only by its own factory)', async () => {
    class Refused extends Error {
      private constructor() {
        super('他の担当者が先に変更しました');
      }
      static make(): Refused {
        return new Refused();
      }
    }
    await expect(asUserError(() => Promise.reject(Refused.make()), Refused)).rejects.toMatchObject({
      constructor: UserError,
      message: '他の担当者が先に変更しました',
    });
  });

  it('passes any other error on as it is, and a result through', async () => {
    const fault = new Error('disk full');
    await expect(asUserError(() => Promise.reject(fault), RequestError)).rejects.toBe(fault);
    await expect(asUserError(() => Promise.resolve(42), RequestError)).resolves.toBe(42);
  });
});
