import { Random } from './demo-random';

/** A department of the demo city (codes and systems as in the shared samples). */
export interface DemoDepartment {
  code: string;
  name: string;
  /** 1-based number used in terminal IPs 10.<no>.x.y. */
  no: number;
  /** Share of the staff. */
  weight: number;
  jumin: boolean;
  /** 統合宛名 business code allowed, or '' when the department does not use 統合宛名. */
  atenaCode: string;
  /** Staff of this department may be 中間サーバー operators. */
  chukan: boolean;
  reasons: readonly string[];
}

export const DEPARTMENTS: readonly DemoDepartment[] = [
  { code: '100100', name: '市民課', no: 1, weight: 0.22, jumin: true, atenaCode: 'J01', chukan: false, reasons: ['住民票の写しの交付', '転入届の受付', '転出届の受付', '印鑑登録証明書の交付', '窓口での本人確認', '戸籍附票の確認', '住所変更の受付'] },
  { code: '100200', name: '保険年金課', no: 2, weight: 0.15, jumin: true, atenaCode: 'K01', chukan: true, reasons: ['国民健康保険の資格確認', '国保税の賦課資格確認', '年金の届出受付', '高額療養費の審査', '問合せ対応（電話）'] },
  { code: '100300', name: '市民税課', no: 3, weight: 0.15, jumin: true, atenaCode: 'Z01', chukan: false, reasons: ['個人住民税の賦課', '課税証明書の交付', '申告内容の確認', '扶養状況の確認', '税額照会への回答'] },
  { code: '100400', name: '子育て支援課', no: 4, weight: 0.12, jumin: false, atenaCode: 'F03', chukan: true, reasons: ['児童手当の認定', '保育所入所の審査', '医療費助成の資格確認'] },
  { code: '100500', name: '生活福祉課', no: 5, weight: 0.12, jumin: false, atenaCode: 'S02', chukan: true, reasons: ['生活保護の調査', '扶助費の算定'] },
  { code: '100600', name: '情報政策課', no: 6, weight: 0.08, jumin: true, atenaCode: '', chukan: false, reasons: ['システム障害の調査', 'データ補正（依頼書あり）', '操作研修の準備'] },
  { code: '100700', name: '納税課', no: 7, weight: 0.16, jumin: true, atenaCode: 'Z02', chukan: false, reasons: ['滞納整理', '納税相談', '差押え事前調査', '口座振替の確認'] },
];

export interface DemoStaff {
  index: number;
  id: string;
  name: string;
  dept: DemoDepartment;
  terminal: string;
  ip: string;
  /** Index in the resident table, or -1 when the staff member lives elsewhere. */
  residentIndex: number;
  /** 中間サーバー operator with its own 操作端末. */
  chukanTerminal: string;
  status: '在職' | '休職' | '退職';
  retiredOn: string;
}

export interface DemoResidents {
  count: number;
  /** Household number per resident index. */
  household: Int32Array;
  /** First resident index of each household, and size (members are consecutive). */
  householdStart: Int32Array;
  householdSize: Uint8Array;
}

/** 10-digit 宛名番号 of a resident index. */
export function residentNo(i: number): string {
  return String(1000000001 + i * 7);
}

/** 15-digit 統合宛名番号 of a resident index. */
export function integratedNo(i: number): string {
  return '01' + String(10_000_000_000_000 + i * 13 + 9).slice(1);
}

/** 世帯番号 of a household index. */
export function householdNo(h: number): string {
  return String(2000000001 + h);
}

const SURNAMES = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '佐々木', '山口', '松本', '井上', '木村', '林', '斎藤', '清水', '山崎', '森', '池田', '橋本', '阿部', '石川', '前田', '藤田', '小川', '岡田',
  // CP932-only (IBM extension) characters, as real 住民記録 data holds them.
  '髙橋', '山﨑', '髙木', '宮﨑', '﨑山'];
const GIVEN = ['太郎', '健太', '翔', '大輔', '誠', '亮', '拓也', '直樹', '一郎', '裕子', '愛', '由美', '恵', '陽子', '美咲', '彩', '真由美', '花子', '智子', '里美'];

/** Builds the staff and resident tables of the demo city. */
export function buildOrganisation(seed: string, staffCount: number): { staff: DemoStaff[]; residents: DemoResidents } {
  const rng = Random.derive(seed, 'organisation');
  const residentCount = Math.min(1_000_000, Math.max(3000, staffCount * 30));
  const household = new Int32Array(residentCount);
  const starts: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < residentCount; ) {
    const size = Math.min(residentCount - i, rng.pick([1, 1, 2, 2, 2, 3, 3, 4, 5]));
    const h = starts.length;
    starts.push(i);
    sizes.push(size);
    for (let k = 0; k < size; k++) household[i + k] = h;
    i += size;
  }
  const residents: DemoResidents = { count: residentCount, household, householdStart: Int32Array.from(starts), householdSize: Uint8Array.from(sizes) };

  const perDept = DEPARTMENTS.map(() => 0);
  const staff: DemoStaff[] = [];
  const chukanPerDept = new Map<string, number>();
  let chukanTerminals = 0;
  for (let i = 0; i < staffCount; i++) {
    // Round-robin by weight keeps every department staffed even in tiny demos.
    let d = 0;
    let best = Infinity;
    DEPARTMENTS.forEach((dept, k) => {
      const load = perDept[k] / dept.weight;
      if (load < best) {
        best = load;
        d = k;
      }
    });
    const dept = DEPARTMENTS[d];
    const n = perDept[d]++;
    const id = `K${String(1001 + i).padStart(6, '0')}`;
    // Two 中間サーバー operators per department that uses it, plus one per 100 staff.
    const c = chukanPerDept.get(dept.code) ?? 0;
    const isChukan = dept.chukan && n % 10 === 1 && c < 2 + Math.floor(staffCount / 100);
    if (isChukan) chukanPerDept.set(dept.code, c + 1);
    staff.push({
      index: i,
      id,
      name: `${rng.pick(SURNAMES)} ${rng.pick(GIVEN)}`,
      dept,
      terminal: `WS-${dept.code}-${String(n + 1).padStart(3, '0')}`,
      ip: `10.${dept.no}.${Math.floor(n / 240)}.${10 + (n % 240)}`,
      residentIndex: rng.chance(0.7) ? rng.int(0, residentCount - 1) : -1,
      chukanTerminal: isChukan ? `CHK-TERM-${String(++chukanTerminals).padStart(2, '0')}` : '',
      status: '在職',
      retiredOn: '',
    });
  }
  return { staff, residents };
}
