import type { SetAsideBatch } from '@kansa/collector/sink/set-aside.repository';
import { describeSetAside } from './batches.command';

describe('kansa batches list (and kansa info): a batch set aside, as an operator reads it', () => {
  const batch = {
    batchId: 'b-1',
    source: 'jumin',
    instance: '',
    transport: 'file',
    origin: 'JUMIN_OPLOG_20250414.csv',
    writer: '',
    lines: 100000,
    state: 'set_aside',
    reason: 'Code: 241. Memory limit exceeded',
    errorCode: '241',
    attempts: 3,
    setAsideAt: '2025-04-15 02:10:00.000',
    updatedAt: '2025-04-15 02:10:00.000',
    updatedBy: '',
    note: '',
  } as unknown as SetAsideBatch;

  it('names the system by its name and the ID to type, with its lines, attempts and the reason', () => {
    expect(describeSetAside(batch).split('\n')).toEqual([
      'b-1  保留中  住民記録システム (jumin)  100,000行  2025-04-15 02:10  試行3回  JUMIN_OPLOG_20250414.csv',
      '    理由: Code: 241. Memory limit exceeded',
    ]);
  });
});
