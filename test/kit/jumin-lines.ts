import iconv from 'iconv-lite';

/** The 住民記録 header (spec/sources.md §1). */
export const JUMIN_HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';

const BASE_MS = Date.UTC(2026, 8, 1, 0, 0, 0); // 2026-09-01 09:00 JST
const NAMES = ['山田 太郎', '髙橋 花子', '山﨑 一郎', '佐藤 ㈱'];

/** `YYYY/MM/DD HH:MM:SS` in JST for epoch milliseconds. */
function jst(ms: number): string {
  const d = new Date(ms + 9 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * The i-th valid 住民記録 line: unique content (time and 宛名番号 follow i),
 * so N lines are N distinct events.
 */
export function juminLine(i: number): string {
  const user = `K${String(100 + (i % 50)).padStart(6, '0')}`;
  const dept = String(100100 + (i % 7) * 100);
  return [
    jst(BASE_MS + i * 1000),
    user,
    NAMES[i % NAMES.length],
    dept,
    '市民課',
    `WS-${dept}-0${i % 10}`,
    `10.1.${i % 250}.${(i >> 8) % 250}`,
    'JR0101',
    '住民票照会',
    '照会',
    String(1_000_000_000 + i),
    '無',
    '',
    '1',
    '正常',
  ].join(',');
}

/** Kinds of bad lines a sending system may produce; each must be quarantined. */
export const BAD_LINE_KINDS = ['bad-date', 'bad-count', 'columns', 'action', 'bytes'] as const;

/** The i-th malformed 住民記録 line (CP932 bytes), cycling through BAD_LINE_KINDS. */
export function badJuminLine(i: number): Buffer {
  const fields = juminLine(i).split(',');
  switch (BAD_LINE_KINDS[i % BAD_LINE_KINDS.length]) {
    case 'bad-date':
      fields[0] = '2026/09/31 10:00:00';
      break;
    case 'bad-count':
      fields[13] = 'たくさん';
      break;
    case 'columns':
      fields.splice(5, 3);
      break;
    case 'action':
      fields[9] = '削除';
      break;
    case 'bytes':
      // A CP932 lead byte followed by a byte that cannot trail it.
      return Buffer.concat([
        iconv.encode(fields.slice(0, 2).join(','), 'cp932'),
        Buffer.from([0x81, 0x7f]),
        iconv.encode(',' + fields.slice(2).join(','), 'cp932'),
      ]);
  }
  return iconv.encode(fields.join(','), 'cp932');
}

export function cp932(text: string): Buffer {
  return iconv.encode(text, 'cp932');
}
