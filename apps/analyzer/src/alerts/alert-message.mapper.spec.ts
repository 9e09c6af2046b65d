import type { FindingView } from '../findings/findings.types';
import { composeAlert, toAlertItem } from './alert-message.mapper';

const finding = (over: Partial<FindingView> = {}): FindingView => ({
  id: 'f'.repeat(32),
  rule: 'watchlist-access',
  ruleTitle: '要配慮対象者へのアクセス',
  ruleVersion: 1,
  exception: null,
  severity: 'critical',
  day: '2025-04-15',
  userId: 'K002200',
  subject: '010000000053217',
  count: 3,
  firstAt: '2025-04-15 10:00:12.000',
  lastAt: '2025-04-15 10:05:40.000',
  summary: '010000000053217 (DV支援措置) を 3 回照会',
  details: { category: 'DV支援措置' },
  evidenceIds: ['e1'],
  evidenceTotal: 1,
  params: {},
  window: { from: '2025-04-15 00:00:00.000', to: '2025-04-16 00:00:00.000' },
  status: 'new',
  reviewedBy: null,
  reviewedAt: null,
  comment: null,
  detectedAt: '2025-04-15 10:10:00.000',
  ...over,
});

describe('alert message', () => {
  it('says what staff need (title, staff, time, count, ID) and nothing about the resident', () => {
    const msg = composeAlert([toAlertItem(finding(), '')], false, 'm1');
    const all = msg.subject + msg.text + JSON.stringify(msg.json);
    expect(msg.subject).toBe('[kansa] 重要度「重大」要配慮対象者へのアクセス — 職員 K002200 2025-04-15');
    expect(msg.text).toContain('日時: 2025-04-15 10:00 〜 2025-04-15 10:05 (日本時間)');
    expect(msg.text).toContain('件数: 3');
    expect(msg.text).toContain(`指摘ID: ${'f'.repeat(32)}`);
    expect(all).not.toContain('010000000053217');
    expect(all).not.toContain('DV支援措置');
  });

  it('lists every finding of a digest in one message', () => {
    const items = ['a', 'b', 'c', 'd'].map((c, i) =>
      toAlertItem(finding({ id: c.repeat(32), severity: i ? 'high' : 'critical' }), 'https://kansa.example/'),
    );
    const msg = composeAlert(items, true, 'm2');
    expect(msg.subject).toBe('[kansa] 検知 4 件 (重要度「重大」を含む)');
    for (const c of ['a', 'b', 'c', 'd']) expect(msg.text).toContain(`https://kansa.example/findings/${c.repeat(32)}`);
    expect(msg.json.findings).toHaveLength(4);
  });
});
