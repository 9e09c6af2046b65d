/** 中間サーバー operation-log objects (spec/sources.md), as a sending system posts them. */
export function chukanRecords(
  count: number,
  options: { day?: string; operator?: string; serialPrefix?: string; start?: number } = {},
): Array<Record<string, unknown>> {
  const day = options.day ?? '2025-04-14';
  const start = options.start ?? 0;
  return Array.from({ length: count }, (_, k) => {
    const i = start + k;
    const sec = String(i % 60).padStart(2, '0');
    const min = String(Math.floor(i / 60) % 60).padStart(2, '0');
    return {
      time: `${day}T10:${min}:${sec}.000+09:00`,
      operator: options.operator ?? 'K001123',
      terminal: 'CHK-TERM-05',
      func: '情報照会',
      procedure: 'JT0005',
      partner: '日本年金機構',
      item: 'TK0269',
      subject: '010000000053217',
      serial: `${options.serialPrefix ?? 'Q' + day.replace(/-/g, '')}${String(i).padStart(6, '0')}`,
      count: 1,
      result: '正常',
    };
  });
}

/** A findings row as the analyzer stores it (libs/storage/migrations/004_analysis.sql). */
export function findingRow(
  id: string,
  rule: string,
  severity: string,
  userId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = new Date(Date.now() + 9 * 3600_000).toISOString().replace('T', ' ').slice(0, 23);
  return {
    finding_id: id,
    rule,
    rule_version: 1,
    severity,
    day: '2025-04-15',
    user_id: userId,
    subject: '010000000053217',
    count: 120,
    first_at: '2025-04-15 10:00:00.000',
    last_at: '2025-04-15 10:39:00.000',
    summary: `${userId}: 照会 120 件`,
    details: JSON.stringify({ residents: ['010000000053217'] }),
    evidence_ids: [],
    evidence_total: 0,
    params: '{}',
    window_from: '2025-04-15 00:00:00.000',
    window_to: '2025-04-16 00:00:00.000',
    run_id: 'test',
    detected_at: now,
    updated_at: now,
    ...extra,
  };
}
