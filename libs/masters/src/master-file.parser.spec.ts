import { formatMasterError, parseMasterFile } from './master-file.parser';

const csv = (...lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
const messages = (r: { errors: Parameters<typeof formatMasterError>[0][] }) => r.errors.map(formatMasterError);

describe('parseMasterFile', () => {
  it('reads staff.csv with a BOM and maps it to stored columns', () => {
    const r = parseMasterFile(
      'staff',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        csv(
          '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号',
          'K000001,髙橋 一郎,100100,市民課,在職,,1000000001,2000000001',
          'K000002,山﨑 花子,100200,税務課,退職,2025/3/31,,',
        ),
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      {
        staff_id: 'K000001',
        name: '髙橋 一郎',
        department_code: '100100',
        department_name: '市民課',
        employment_status: '在職',
        retired_on: null,
        resident_id: '1000000001',
        household_id: '2000000001',
      },
      {
        staff_id: 'K000002',
        name: '山﨑 花子',
        department_code: '100200',
        department_name: '税務課',
        employment_status: '退職',
        retired_on: '2025-03-31',
        resident_id: '',
        household_id: '',
      },
    ]);
  });

  it('names file, line, column and value of an impossible date and a bad state, and keeps no rows', () => {
    const r = parseMasterFile(
      'staff',
      csv(
        '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号',
        'K000001,佐藤 一郎,100100,市民課,在職,,,',
        'K000002,鈴木 次郎,100100,市民課,退職,2025-02-30,,',
        'K000003,田中 三郎,10010,市民課,出向,,,',
      ),
    );
    expect(messages(r)).toEqual([
      'staff.csv:3: 退職日: "2025-02-30" 日付ではありません（YYYY-MM-DD）',
      'staff.csv:4: 所属コード: "10010" 所属コードは6桁の数字です',
      'staff.csv:4: 在職区分: "出向" 在職 / 休職 / 退職 のいずれかです',
    ]);
    expect(r.rows).toEqual([]);
  });

  it('refuses a wrong header, showing the expected one', () => {
    const r = parseMasterFile('leaves', csv('職員ID,種別,開始日,終了日', 'K000001,育児休業,2025-01-01,'));
    expect(messages(r)).toEqual(['leaves.csv:1: 見出し行が違います: "職員ID,種別,開始日,終了日"（正: 職員ID,休業種別,開始日,終了日）']);
  });

  it('tells a Shift_JIS file apart from UTF-8', () => {
    const sjis = Buffer.from([0x93, 0xfa, 0x95, 0x74, 0x2c, 0x8b, 0xe6, 0x95, 0xaa, 0x2c, 0x94, 0xf5, 0x8d, 0x6c, 0x0d, 0x0a]); // 日付,区分,備考
    expect(messages(parseMasterFile('calendar', sjis))[0]).toContain('calendar.csv:1: UTF-8 ではありません');
  });

  it('rejects leaves ending before they start and lists a wrong column count', () => {
    const r = parseMasterFile('leaves', csv('職員ID,休業種別,開始日,終了日', 'K000001,病気休暇,2025-05-01,2025-04-01', 'K000002,育児休業'));
    expect(messages(r)).toEqual([
      'leaves.csv:2: 終了日: "2025-04-01" 開始日 2025-05-01 より前です',
      'leaves.csv:3: 列の数が 2 です（4 列: 職員ID,休業種別,開始日,終了日）',
    ]);
  });

  it('runs approved overtime past midnight into the next day', () => {
    const r = parseMasterFile(
      'overtime',
      csv('職員ID,日付,開始時刻,終了時刻,承認者', 'K000001,2025-04-30,22:00,1:30,市民課長', 'K000002,2025-04-30,17:15,20:00,市民課長'),
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.start_at, x.end_at])).toEqual([
      ['2025-04-30 22:00:00', '2025-05-01 01:30:00'],
      ['2025-04-30 17:15:00', '2025-04-30 20:00:00'],
    ]);
    expect(messages(parseMasterFile('overtime', csv('職員ID,日付,開始時刻,終了時刻,承認者', 'K000001,2025-04-30,25:00,26:00,')))).toEqual([
      'overtime.csv:2: 開始時刻: "25:00" 時刻ではありません（HH:MM、00:00〜23:59）',
      'overtime.csv:2: 終了時刻: "26:00" 時刻ではありません（HH:MM、00:00〜23:59）',
      'overtime.csv:2: 承認者: "" 値がありません（必須項目）',
    ]);
  });

  it('splits 担当所属コード on ; and needs one of the two resident numbers', () => {
    const r = parseMasterFile(
      'watchlist',
      csv(
        '区分,宛名番号,統合宛名番号,開始日,終了日,担当所属コード',
        'DV等支援措置,1000000001,,2025-01-01,,100100;100300',
        '著名人,,,2025-01-01,,',
      ),
    );
    expect(messages(r)).toEqual(['watchlist.csv:3: 宛名番号: "" 宛名番号か統合宛名番号のどちらかが必要です']);
    const ok = parseMasterFile(
      'watchlist',
      csv('区分,宛名番号,統合宛名番号,開始日,終了日,担当所属コード', 'DV等支援措置,1000000001,,2025-01-01,,100100;100300'),
    );
    expect(ok.rows[0].handling_departments).toEqual(['100100', '100300']);
  });

  it('rejects a duplicated key, a bad account state, an unknown calendar kind and a bad permission system', () => {
    expect(
      messages(
        parseMasterFile(
          'accounts',
          csv('システム,アカウントID,職員ID,状態,状態変更日', 'jumin,K1,K1,有効,', 'jumin,K1,K1,停止,', 'atena,K1,K1,休止,'),
        ),
      ),
    ).toEqual([
      'accounts.csv:3: アカウントID: "jumin/K1" 2 行目と重複しています',
      'accounts.csv:4: 状態: "休止" 有効 / 停止 / 削除 のいずれかです',
    ]);
    expect(messages(parseMasterFile('calendar', csv('日付,区分,備考', '2025-04-27,休日,')))).toEqual([
      'calendar.csv:2: 区分: "休日" 開庁 / 閉庁 のいずれかです',
    ]);
    expect(messages(parseMasterFile('permissions', csv('所属コード,システム,業務コード', '100100,住基,J01')))[0]).toContain(
      'permissions.csv:2: システム: "住基"',
    );
    expect(parseMasterFile('residents', csv('宛名番号,統合宛名番号,世帯番号', '1000000001,010000000000009,2000000001')).rows).toEqual([
      {
        resident_id: '1000000001',
        integrated_id: '010000000000009',
        household_id: '2000000001',
        address_code: '',
        movement: '住登',
        moved_on: null,
      },
    ]);
  });

  it('reads residents.csv with the optional 住所コード, 異動区分 and 異動日, and names what is wrong in them', () => {
    const header = '宛名番号,統合宛名番号,世帯番号,住所コード,異動区分,異動日';
    const r = parseMasterFile(
      'residents',
      csv(
        header,
        '1000000001,010000000000009,2000000001,A0012,,',
        '1000000008,,2000000002,A0012,死亡,2025/3/9',
        '1000000015,,,,転出,2025-04-01',
      ),
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.resident_id, x.address_code, x.movement, x.moved_on])).toEqual([
      ['1000000001', 'A0012', '住登', null],
      ['1000000008', 'A0012', '死亡', '2025-03-09'],
      ['1000000015', '', '転出', '2025-04-01'],
    ]);
    expect(messages(parseMasterFile('residents', csv(header, '1000000001,,,A-1,転居,', '1000000008,,,東京都千代田区,転出,')))).toEqual([
      'residents.csv:2: 異動区分: "転居" 住登 / 転出 / 死亡 のいずれかです',
      'residents.csv:3: 住所コード: "東京都千代田区" 住所コードは英数字です（住所そのものは書きません）',
      'residents.csv:3: 異動日: "" 転出には異動日が必要です（YYYY-MM-DD）',
    ]);
    // The optional columns come all together: a file with some of them has a wrong header.
    expect(messages(parseMasterFile('residents', csv('宛名番号,統合宛名番号,世帯番号,住所コード', '1000000001,,,A1')))).toEqual([
      'residents.csv:1: 見出し行が違います: "宛名番号,統合宛名番号,世帯番号,住所コード"（正: 宛名番号,統合宛名番号,世帯番号 または 宛名番号,統合宛名番号,世帯番号,住所コード,異動区分,異動日）',
    ]);
  });

  it('reads assignments.csv: a person or a whole department, a household or a resident, an open or a closed period', () => {
    const header = '担当種別,所属コード,職員ID,世帯番号,宛名番号,開始日,終了日';
    const r = parseMasterFile(
      'assignments',
      csv(header, '生活保護,100500,K000123,2000000001,,2025-01-01,', '児童,100400,,,1000000008,2024/4/1,2025-03-31'),
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      {
        kind: '生活保護',
        department_code: '100500',
        staff_id: 'K000123',
        household_id: '2000000001',
        resident_id: '',
        start_date: '2025-01-01',
        end_date: null,
      },
      {
        kind: '児童',
        department_code: '100400',
        staff_id: '',
        household_id: '',
        resident_id: '1000000008',
        start_date: '2024-04-01',
        end_date: '2025-03-31',
      },
    ]);
    expect(
      messages(
        parseMasterFile(
          'assignments',
          csv(
            header,
            '生活保護,100500,K000123,,,2025-01-01,',
            '介護,100500,K000124,2000000001,1000000001,2025-01-01,',
            ',1005,,2000000001,,2025-02-01,2025-01-01',
          ),
        ),
      ),
    ).toEqual([
      'assignments.csv:2: 世帯番号: "" 世帯番号か宛名番号のどちらか一方を書きます',
      'assignments.csv:3: 世帯番号: "2000000001" 世帯番号か宛名番号のどちらか一方を書きます',
      'assignments.csv:4: 担当種別: "" 値がありません（必須項目）',
      'assignments.csv:4: 所属コード: "1005" 所属コードは6桁の数字です',
      'assignments.csv:4: 終了日: "2025-01-01" 開始日 2025-02-01 より前です',
    ]);
  });

  it('caps the listed errors and says how many more there are', () => {
    const lines = ['宛名番号,統合宛名番号,世帯番号', ...Array.from({ length: 80 }, () => 'x,,')];
    const r = parseMasterFile('residents', csv(...lines));
    expect(r.errors).toHaveLength(51);
    expect(formatMasterError(r.errors[50])).toBe('residents.csv:0: ほかに 30 件の誤りがあります');
  });
});
