import { TABLES } from '@kansa/storage';
import { findingRow } from './fixtures';
import { startTestService, TestService } from './service-harness';

/**
 * What an officer who edits a URL by hand, or a script with a typo, is told:
 * a rule ID that names no rule is refused naming the known ones (before, the
 * answer was "no findings", which reads as "nothing happened"), and the
 * checks of numbers, choices and required fields answer in Japanese.
 */
describe('kansa serve: a mistyped parameter is refused naming it', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService();
    await svc.client.insert({
      table: TABLES.findings,
      values: [findingRow('d'.repeat(32), 'mass-lookup', 'high', 'K001123')],
      format: 'JSONEachRow',
    });
  });
  afterAll(() => svc?.close());

  async function refusal(path: string): Promise<{ status: number; message: string }> {
    const res = await svc.request(path, { token: svc.tokens.read });
    return { status: res.status, message: ((await res.json()) as { message: string }).message };
  }

  it('refuses an unknown rule ID in the findings lists, and still filters by a known one', async () => {
    for (const path of ['/api/findings?rule=mass-lokup', '/api/console/findings?rule=mass-lookup,mass-lokup']) {
      expect(await refusal(path)).toEqual({
        status: 400,
        message: expect.stringMatching(
          /^rule\.\d: unknown rule mass-lokup; known rules: off-hours, .*mass-lookup.* \(ルールIDが不正です\)$/,
        ),
      });
    }
    const known = await svc.request('/api/findings?rule=mass-lookup', { token: svc.tokens.read });
    expect(known.status).toBe(200);
    expect(((await known.json()) as Array<{ id: string }>).map((f) => f.id)).toEqual(['d'.repeat(32)]);
    // a disabled rule's past findings can still be asked for: every rule of the catalogue is known
    expect((await svc.request('/api/findings?rule=log-gap', { token: svc.tokens.read })).status).toBe(200);
  });

  it('says in Japanese what is wrong with a number, a choice or a missing field', async () => {
    expect(await refusal('/api/findings?limit=abc')).toEqual({ status: 400, message: expect.stringMatching(/^limit: 無効な入力: 数値/) });
    expect(await refusal('/api/console/findings?pageSize=100000')).toEqual({
      status: 400,
      message: expect.stringMatching(/^pageSize: 大きすぎる値: .*500以下/),
    });
    expect(await refusal('/api/console/findings?severity=urgent')).toEqual({
      status: 400,
      message: expect.stringMatching(/^severity\.0: 無効な選択: .*"critical"/),
    });
    expect(await refusal('/api/events?user=K001123')).toEqual({ status: 400, message: 'purpose: 値を指定してください (required)' });
    // a message the schema sets itself is kept
    expect(await refusal('/api/events?user=K001123&purpose=x')).toEqual({
      status: 400,
      message: 'purpose: 利用目的 (purpose) を記入してください',
    });
  });
});
