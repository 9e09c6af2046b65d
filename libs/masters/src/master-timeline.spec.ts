import { MasterTimeline, MasterVersionMark } from './master-timeline';

const mark = (master: MasterVersionMark['master'], version: number, effectiveFrom: string, fileSha256: string): MasterVersionMark => ({
  master,
  version,
  effectiveFrom,
  fileSha256,
});

describe('MasterTimeline', () => {
  const timeline = new MasterTimeline([
    mark('leaves', 1, '2025-04-01 00:00:00.000', 'aaa'),
    mark('leaves', 2, '2025-05-10 12:00:00.000', 'bbb'),
    // back-dated correction loaded later: effective from 2025-05-01, so it wins for 05-01 … 05-09 only
    mark('leaves', 3, '2025-05-01 00:00:00.000', 'ccc'),
    // the same file again, effective from 05-20
    mark('leaves', 4, '2025-05-20 00:00:00.000', 'bbb'),
    mark('staff', 1, '2025-04-01 00:00:00.000', 'sss'),
  ]);

  it('resolves a day to the latest version effective by its end, the earliest before any, 0 when never loaded', () => {
    expect(timeline.versionsAt('2025-03-01')).toMatchObject({ leaves: 1, staff: 1, accounts: 0 });
    expect(timeline.versionsAt('2025-04-30').leaves).toBe(1);
    expect(timeline.versionsAt('2025-05-01').leaves).toBe(3);
    expect(timeline.versionsAt('2025-05-09').leaves).toBe(3);
    // loaded during 05-10: that day already uses it
    expect(timeline.versionsAt('2025-05-10').leaves).toBe(2);
    expect(timeline.versionsAt('2025-06-01').leaves).toBe(4);
  });

  it('tells versions holding the same file apart from changed ones', () => {
    expect(timeline.sameContent('leaves', 2, 4)).toBe(true);
    expect(timeline.sameContent('leaves', 1, 3)).toBe(false);
    expect(timeline.sameContent('leaves', 0, 1)).toBe(false);
    expect(timeline.sameContent('accounts', 0, 0)).toBe(true);
    expect(timeline.sameContent('leaves', 1, 9)).toBe(false);
  });
});
