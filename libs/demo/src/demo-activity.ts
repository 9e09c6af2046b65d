import type { DemoLogEvent } from './demo-formats';
import type { IntakeBook } from './demo-intake';
import { DemoResidents, DemoStaff, integratedNo, residentNo } from './demo-organisation';
import { Random } from './demo-random';

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

/**
 * The city's residents, which of them ordinary work never touches (1 in
 * `reserved`: watchlist entries, staff households and their neighbours,
 * 除票, the targets of planted look-ups) and the business records that
 * explain ordinary cases.
 */
export interface ActivityContext {
  residents: DemoResidents;
  reserved: Uint8Array;
  book: IntakeBook;
}

/** Any resident ordinary work may touch (none reserved, so never the staff member's own household). */
export function pickResident(ctx: Pick<ActivityContext, 'residents' | 'reserved'>, rng: Random): number {
  for (;;) {
    const i = rng.int(0, ctx.residents.count - 1);
    if (ctx.reserved[i] !== 1) return i;
  }
}

const PARTNERS = ['厚生労働省', '日本年金機構', '地方公共団体情報システム機構', '全国健康保険協会', '他市区町村'];
const CHUKAN_FUNCS = ['情報照会', '情報照会', '情報照会', '符号取得', '情報提供'];

const enum Kind {
  Jumin = 0,
  Atena = 1,
  Print = 2,
  Unlock = 3,
  Chukan = 4,
  Usb = 5,
}

/**
 * One ordinary working day of one staff member, lazily and in time order:
 * terminal logon, system logins, cases (search → view → maybe certificate,
 * update or print), 統合宛名 inquiries, 中間サーバー work for its operators,
 * a lunch dip, logouts. Everything stays inside business hours, with reasons,
 * on the staff member's own terminal, with permitted business codes: the
 * background never produces a finding by itself.
 */
export function* staffDay(
  ctx: ActivityContext,
  day: string,
  staff: DemoStaff,
  rng: Random,
  factor: number,
  approvedDevice: string,
  /** Few people at work (an extra open day): every terminal unlocks through the day, so no log falls silent. */
  fewAtWork = false,
): Generator<DemoLogEvent> {
  const dept = staff.dept;
  const arrival = 8 * HOUR + 5 * MIN + Math.floor(rng.next() * 45 * MIN);
  const departure = 17 * HOUR + 16 * MIN + Math.floor(rng.next() * 22 * MIN);
  const chukan = staff.chukanTerminal !== '';

  yield { t: arrival, source: 'terminal', staff, op: 'ログオン' };
  let last = arrival;
  if (dept.jumin) {
    if (rng.chance(0.03)) yield { t: (last += 20 * SEC + rng.int(0, 30 * SEC)), source: 'jumin', staff, op: 'ログイン失敗', failed: true };
    yield { t: (last += 30 * SEC + rng.int(0, 3 * MIN)), source: 'jumin', staff, op: 'ログイン' };
  }
  if (chukan) yield { t: (last += 2 * MIN + rng.int(0, 5 * MIN)), source: 'chukan', staff, op: 'ログイン' };

  // When the activities of the day start.
  const kinds: number[] = [];
  const add = (kind: Kind, n: number) => {
    for (let i = 0; i < n; i++) kinds.push(kind);
  };
  if (dept.jumin) add(Kind.Jumin, rng.poisson(7 * factor));
  if (dept.atenaCode) add(Kind.Atena, rng.poisson((dept.jumin ? 3 : 8) * factor));
  add(Kind.Print, rng.poisson(0.8 * factor));
  if (rng.chance(0.5)) add(Kind.Unlock, 1);
  if (chukan) add(Kind.Chukan, rng.poisson(8 * factor));
  if (staff.dept.code === '100600' && staff.index % 7 === 0 && rng.chance(0.2)) add(Kind.Usb, 1);
  const from = last + 5 * MIN;
  const to = departure - 20 * MIN;
  const when: number[] = [];
  for (const kind of kinds) {
    let t: number;
    do t = from + Math.floor(rng.next() * (to - from));
    while (t >= 12 * HOUR && t < 13 * HOUR && rng.chance(0.8)); // lunch dip
    when.push(kind === Kind.Unlock ? 13 * HOUR + rng.int(0, 10 * MIN) : t);
  }
  if (fewAtWork) {
    for (const h of [10, 14, 16]) {
      kinds.push(Kind.Unlock);
      when.push(h * HOUR + rng.int(0, 30 * MIN));
    }
  }
  if (chukan) {
    // 中間サーバー operators work through the day: the server log never falls silent.
    for (const h of [9, 11, 13, 15]) {
      kinds.push(Kind.Chukan);
      when.push(h * HOUR + 10 * MIN + rng.int(0, 30 * MIN));
    }
  }
  const order = kinds.map((_, i) => i);
  order.sort((a, b) => when[a] - when[b] || a - b);

  for (const i of order) {
    let t = Math.max(when[i], last + 20 * SEC + rng.int(0, 40 * SEC));
    switch (kinds[i] as Kind) {
      case Kind.Jumin: {
        yield { t, source: 'jumin', staff, op: '検索', count: rng.int(1, 12) };
        const reason = rng.pick(dept.reasons);
        const views = rng.chance(0.6) ? 1 : 2;
        let subject = '';
        for (let v = 0; v < views; v++) {
          subject = residentNo(ctx.book.pickCase(rng, staff, day));
          yield { t: (t += rng.int(20 * SEC, 90 * SEC)), source: 'jumin', staff, op: '照会', subject, reason, myNumber: rng.chance(0.08), count: 1 };
        }
        const r = rng.next();
        if (r < (dept.code === '100100' ? 0.3 : 0.05)) yield { t: (t += rng.int(MIN, 3 * MIN)), source: 'jumin', staff, op: '証明書発行', subject, reason, count: 1 };
        else if (r < 0.4) yield { t: (t += rng.int(MIN, 4 * MIN)), source: 'jumin', staff, op: '更新', subject, reason, count: 1 };
        else if (r < 0.48) yield { t: (t += rng.int(30 * SEC, 2 * MIN)), source: 'jumin', staff, op: '帳票出力', subject, reason, count: 1 };
        else if (r < 0.5) yield { t: (t += rng.int(30 * SEC, 2 * MIN)), source: 'jumin', staff, op: 'CSV出力', reason, count: rng.int(5, 40) };
        break;
      }
      case Kind.Atena: {
        const r = rng.next();
        const op = r < 0.7 ? '宛名照会' : r < 0.85 ? '個人番号照会' : r < 0.98 ? '統合宛名番号照会' : '一覧出力';
        const list = op === '一覧出力';
        yield { t, source: 'atena', staff, op, code: dept.atenaCode, subject: list ? '' : integratedNo(ctx.book.pickCase(rng, staff, day)), count: list ? rng.int(10, 60) : rng.chance(0.03) ? 0 : 1, failed: rng.chance(0.01) };
        break;
      }
      case Kind.Print:
        yield { t, source: 'terminal', staff, op: '印刷', detail: `印刷 ${rng.int(1, 6)}ページ`, file: `C:\\Users\\${staff.id}\\文書${rng.int(1, 30)}.pdf`, size: rng.int(40_000, 900_000) };
        break;
      case Kind.Unlock:
        yield { t, source: 'terminal', staff, op: '画面ロック解除' };
        break;
      case Kind.Usb:
        yield { t, source: 'terminal', staff, op: 'USB接続', device: approvedDevice };
        break;
      case Kind.Chukan: {
        const subject = integratedNo(ctx.book.pickCase(rng, staff, day));
        const func = rng.pick(CHUKAN_FUNCS);
        // A third of the inquiries start with the 統合宛名番号 looked up on 統合宛名, by the operator (the look-up prepares it).
        if (func === '情報照会' && dept.atenaCode && rng.chance(0.33)) {
          yield { t, source: 'atena', staff, op: '統合宛名番号照会', code: dept.atenaCode, subject, count: 1 };
          t += rng.int(30 * SEC, 2 * MIN);
        }
        const procedure = `JT${String(rng.int(1, 120)).padStart(4, '0')}`;
        const partner = rng.pick(PARTNERS);
        const item = `TK${String(rng.int(1, 400)).padStart(4, '0')}`;
        yield { t, source: 'chukan', staff, op: func, code: procedure, partner, item, subject, count: 1 };
        if (func === '情報照会') yield { t: (t += rng.int(MIN, 3 * MIN)), source: 'chukan', staff, op: '照会結果閲覧', code: procedure, partner, item, subject, count: 1 };
        break;
      }
    }
    last = t;
  }

  const end = Math.max(departure, last + 3 * MIN);
  if (chukan) yield { t: end - 2 * MIN, source: 'chukan', staff, op: 'ログアウト' };
  if (dept.jumin) yield { t: end - MIN, source: 'jumin', staff, op: 'ログアウト' };
  yield { t: end, source: 'terminal', staff, op: 'ログオフ' };
}
