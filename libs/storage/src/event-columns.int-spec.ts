import { eventRow, openTestStore, TestStore } from '@kansa/test-kit';
import { EVENT_ROW_DIGEST_SQL, insertEventRows, STAGED_STRUCTURE, TABLES } from '@kansa/storage';

describe('the one definition of event columns', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it('gives the row digest the integrity chains were recorded with (golden vector: stored batches keep verifying)', async () => {
    await insertEventRows(store.client, [
      eventRow({
        event_id: 'a'.repeat(32),
        ts: '2025-04-14 08:08:06.123',
        source: 'jumin',
        user_id: 'K001198',
        user_name: '髙﨑 翔',
        department_code: '100700',
        terminal_id: 'WS-100700-006',
        client_ip: '10.7.0.15',
        action: 'view',
        screen_id: 'JR0101',
        subject_id: '0000012345',
        my_number_shown: true,
        record_count: 3,
        reason: '窓口',
        outcome: 'success',
        raw: 'line',
        my_number_hmacs: ['h1', 'h2'],
        batch_id: 'b1',
        line_no: 7,
      }),
    ]);
    const [row] = await store.rows<{ d: string }>(`SELECT lower(hex(${EVENT_ROW_DIGEST_SQL})) AS d FROM ${TABLES.events}`);
    // computed with the digest SQL as it was written out by hand before this definition existed
    expect(row.d).toBe(GOLDEN);
  });

  it('stages every column but the ID, time as milliseconds, then identity and origin', () => {
    expect(STAGED_STRUCTURE.split(', ').map((c) => c.split(' ')[0])).toEqual([
      'ts_ms',
      'source',
      'instance',
      'user_id',
      'user_name',
      'department_code',
      'terminal_id',
      'client_ip',
      'action',
      'screen_id',
      'business_code',
      'subject_id',
      'my_number_shown',
      'record_count',
      'reason',
      'outcome',
      'object',
      'source_event_id',
      'raw',
      'my_number_hmacs',
      'batch_id',
      'line_no',
      'identity_key',
      'origin',
    ]);
  });
});

const GOLDEN = '26b674da8428defa03a935a7706e1205ce922a1c268d0f025095e58e24e9fe50';
