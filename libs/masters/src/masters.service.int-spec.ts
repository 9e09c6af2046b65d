import { AuditTrailRepository, AuditTrailService } from '@kansa/audit-trail';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MastersRepository } from './masters.repository';
import { MastersService } from './masters.service';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const FIXTURES = join(__dirname, 'fixtures', 'valid');

describe('masters loads in the audit trail', () => {
  let store: TestStore;
  let masters: MastersService;
  let trail: AuditTrailService;
  const folder = (edit: (dir: string) => void = () => undefined) => {
    const dir = scratchDir('master-changes');
    cpSync(FIXTURES, dir, { recursive: true });
    rmSync(join(dir, 'notes.csv'));
    edit(dir);
    return dir;
  };
  const append = (dir: string, file: string, lines: string[]) =>
    writeFileSync(join(dir, file), readFileSync(join(dir, file), 'utf8').trimEnd() + '\n' + lines.join('\n') + '\n');

  beforeAll(async () => {
    store = await openTestStore();
    trail = new AuditTrailService(new AuditTrailRepository(store.client), store.config);
    masters = new MastersService(new MastersRepository(store.client), trail);
  });
  afterAll(async () => {
    await store.close();
  });

  it('records a load quietly when it takes nothing away; a watchlist removal, a wider permission and a back-dated leave are alarming, without naming a resident', async () => {
    await masters.load(folder(), { by: '総務 田中', now: new Date('2025-05-01T09:00:00+09:00') });
    expect((await trail.list()).map((c) => c.kind)).toEqual(['masters-load']);

    const next = folder((dir) => {
      writeFileSync(join(dir, 'watchlist.csv'), '区分,宛名番号,統合宛名番号,開始日,終了日,担当所属コード\n');
      append(dir, 'permissions.csv', ['100300,jumin,*']);
      append(dir, 'leaves.csv', ['K000004,病気休暇,2025-04-01,2025-04-20']);
      append(dir, 'assignments.csv', [
        '生活保護,100500,K000002,2000000077,,2025-03-01,',
        '生活保護,100500,K000002,2000000078,,2025-05-02,',
      ]);
    });
    const result = await masters.load(next, { by: '総務 田中', now: new Date('2025-05-02T09:00:00+09:00') });
    expect(result.changes).toMatchObject({
      watchlist: { removed: 1, endedEarly: 0, categories: ['DV等支援措置'] },
      permissionsWidened: ['100300 jumin *'],
      leavesBackdated: [{ staffId: 'K000004', from: '2025-04-01', to: '2025-04-20' }],
      // the one starting on the day of the load covers no past day
      assignmentsBackdated: [{ kind: '生活保護', department: '100500', staffId: 'K000002', from: '2025-03-01', to: null }],
    });
    const [last] = await trail.list({ limit: 1 });
    expect({ kind: last.kind, actor: last.actor }).toEqual({ kind: 'masters', actor: '総務 田中' });
    // each master named as staff know it (担当割当, not only assignments)
    expect(last.summary).toMatch(/^マスタを取り込みました（.*担当割当 assignments v2.*要保護対象者 watchlist v2）: /);
    expect(last.summary).toContain('見守り対象（DV等支援措置）の削除 1 件');
    expect(last.summary).toContain('権限の追加 1 件（100300 jumin *）');
    expect(last.summary).toContain('過去に遡る休業の登録・変更 1 件');
    expect(last.summary).toContain('過去に遡る担当割当の登録・変更 1 件');
    // No resident number, and not the kind of leave (staff privacy), anywhere in the record.
    const recorded = JSON.stringify(last);
    expect(recorded).not.toContain('1000000009');
    expect(recorded).not.toContain('病気休暇');
    expect(recorded).not.toContain('2000000077');

    await masters.load(next, { by: '総務 田中', now: new Date('2025-05-03T09:00:00+09:00') });
    expect((await trail.list({ limit: 1 }))[0].kind).toBe('masters-load');
    expect((await trail.verify()).ok).toBe(true);
  });
});
