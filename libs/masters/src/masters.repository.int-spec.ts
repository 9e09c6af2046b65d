import { openTestStore, TestStore } from '@kansa/test-kit';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMasterError } from './master-file.parser';
import { MastersInvalidError, MastersRepository } from './masters.repository';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const FIXTURES = join(__dirname, 'fixtures', 'valid');
const SAMPLES = '/work/shared/samples/masters';

describe('MastersRepository (embedded ClickHouse)', () => {
  let store: TestStore;
  let repo: MastersRepository;
  const copyFixtures = () => {
    const dir = scratchDir('masters');
    cpSync(FIXTURES, dir, { recursive: true });
    return dir;
  };

  beforeAll(async () => {
    store = await openTestStore();
    repo = new MastersRepository(store.client);
  });
  afterAll(async () => {
    await store.close();
  });

  it('answers version 0 for every master before any load', async () => {
    expect(await repo.versionsAt('2025-04-01')).toEqual({
      staff: 0,
      leaves: 0,
      accounts: 0,
      overtime: 0,
      watchlist: 0,
      permissions: 0,
      residents: 0,
      calendar: 0,
      assignments: 0,
    });
  });

  it('refuses a folder with one invalid file, lists its errors and writes nothing', async () => {
    const dir = copyFixtures();
    writeFileSync(join(dir, 'leaves.csv'), '職員ID,休業種別,開始日,終了日\nK000003,育児休業,2025-02-30,\nK000004,,2025-01-01,\n');
    const err = await repo.load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MastersInvalidError);
    expect((err as MastersInvalidError).errors.map(formatMasterError)).toEqual([
      'leaves.csv:2: 開始日: "2025-02-30" 日付ではありません（YYYY-MM-DD）',
      'leaves.csv:3: 休業種別: "" 値がありません（必須項目）',
    ]);
    expect(await store.rows('SELECT * FROM master_versions')).toEqual([]);
    expect(await store.rows('SELECT * FROM master_staff')).toEqual([]);
  });

  it('loads every master of a folder as version 1, ignoring unknown CSV files', async () => {
    const result = await repo.load(copyFixtures(), { effectiveFrom: '2025-04-01' });
    expect(result.ignored).toEqual(['notes.csv']);
    expect(result.loaded.map((l) => [l.master, l.rows, l.version])).toEqual([
      ['accounts', 2, 1],
      ['assignments', 1, 1],
      ['calendar', 1, 1],
      ['leaves', 1, 1],
      ['overtime', 1, 1],
      ['permissions', 2, 1],
      ['residents', 1, 1],
      ['staff', 2, 1],
      ['watchlist', 1, 1],
    ]);
    const staff = await store.rows<{ name: string; retired_on: string | null }>(
      'SELECT name, retired_on FROM master_staff WHERE version = 1 ORDER BY staff_id',
    );
    expect(staff).toEqual([
      { name: '髙橋 一郎', retired_on: null },
      { name: '山﨑 花子', retired_on: '2025-03-31' },
    ]);
    const [ot] = await store.rows<{ s: string; e: string }>('SELECT toString(start_at) AS s, toString(end_at) AS e FROM master_overtime');
    expect(ot).toEqual({ s: '2025-04-30 22:00:00', e: '2025-05-01 01:30:00' });
    const [wl] = await store.rows<{ d: string[] }>('SELECT handling_departments AS d FROM master_watchlist');
    expect(wl.d).toEqual(['100100', '100300']);
  });

  it('keeps the old version for days before a newer load', async () => {
    const dir = copyFixtures();
    rmSync(join(dir, 'notes.csv'));
    writeFileSync(
      join(dir, 'staff.csv'),
      '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号\nK000001,髙橋 一郎,100300,保険年金課,在職,,,\n',
    );
    for (const f of ['leaves', 'accounts', 'overtime', 'watchlist', 'permissions', 'residents', 'calendar', 'assignments'])
      rmSync(join(dir, `${f}.csv`));
    const result = await repo.load(dir, { now: new Date('2025-05-10T03:00:00Z') });
    expect(result.loaded).toEqual([{ master: 'staff', file: 'staff.csv', rows: 1, version: 2, effectiveFrom: '2025-05-10 12:00:00.000' }]);

    expect((await repo.versionsAt('2025-04-15')).staff).toBe(1);
    expect((await repo.versionsAt('2025-05-09')).staff).toBe(1);
    // Loaded during 5/10: that day is analysed against the new version.
    expect(await repo.versionsAt('2025-05-10')).toEqual({
      staff: 2,
      leaves: 1,
      accounts: 1,
      overtime: 1,
      watchlist: 1,
      permissions: 1,
      residents: 1,
      calendar: 1,
      assignments: 1,
    });
    // Before the first load, the earliest version reaches back.
    expect((await repo.versionsAt('2024-01-01')).staff).toBe(1);
    const list = await repo.list();
    expect(list.filter((v) => v.master === 'staff').map((v) => [v.version, v.effectiveFrom.slice(0, 10)])).toEqual([
      [2, '2025-05-10'],
      [1, '2025-04-01'],
    ]);
  });

  it('stores the optional columns of residents.csv; a three-column file reads as 住登 without an address', async () => {
    const dir = scratchDir('masters');
    writeFileSync(
      join(dir, 'residents.csv'),
      '宛名番号,統合宛名番号,世帯番号,住所コード,異動区分,異動日\n1000000008,,2000000002,A0012,死亡,2025-03-09\n1000000015,,2000000003,A0012,,\n',
    );
    const result = await repo.load(dir, { effectiveFrom: '2025-04-01' });
    const version = result.loaded[0].version;
    expect(
      await store.rows(
        `SELECT resident_id, address_code, movement, toString(moved_on) AS moved_on FROM master_residents WHERE version = {v:UInt32} ORDER BY resident_id`,
        { v: version },
      ),
    ).toEqual([
      { resident_id: '1000000008', address_code: 'A0012', movement: '死亡', moved_on: '2025-03-09' },
      { resident_id: '1000000015', address_code: 'A0012', movement: '住登', moved_on: null },
    ]);
    // version 1 came from the 3-column fixture: the defaults, nothing invented
    expect(await store.rows(`SELECT resident_id, address_code, movement, moved_on FROM master_residents WHERE version = 1`)).toEqual([
      { resident_id: '1000000001', address_code: '', movement: '住登', moved_on: null },
    ]);
  });

  (existsSync(SAMPLES) ? it : it.skip)('loads the shared sample masters without errors', async () => {
    const result = await repo.load(SAMPLES, { effectiveFrom: '2025-04-01' });
    expect(result.loaded.map((l) => l.master).sort()).toEqual([
      'accounts',
      'calendar',
      'leaves',
      'overtime',
      'permissions',
      'residents',
      'staff',
      'watchlist',
    ]);
    for (const l of result.loaded) expect(l.rows).toBeGreaterThan(0);
  });
});
