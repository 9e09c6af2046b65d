import { evidenceLine } from './explanations.command';

describe('kansa explanations --finding: an access of the evidence, as staff read it', () => {
  it('names the system and the operation in Japanese, then why it is not explained', () => {
    expect(
      evidenceLine({
        eventId: 'e'.repeat(32),
        ts: '2025-04-15 10:05:00.000',
        source: 'jumin',
        action: 'view',
        class: 'flagged',
        explanations: [],
        flags: ['self'],
        recordRef: '',
        recordKind: '',
        recordDay: null,
        assignmentKind: '',
      }),
    ).toBe('2025-04-15 10:05:00.000  住民記録システム  照会  説明なし（要注意の対象）  要注意: 本人・同一世帯');
  });
});
