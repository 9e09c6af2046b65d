import { addDays, CalendarOverride, isBusinessDay } from '@kansa/calendar/business-calendar';
import { DemoDepartment, DemoResidents, DemoStaff } from './demo-organisation';
import { Random } from './demo-random';

/**
 * Business records (業務記録) of the demo city and the work they explain
 * (docs/demo.md "Explanations"). Every department receives records every
 * business day — its intake: 届出, 申請, 相談 … of residents drawn from those
 * ordinary work may touch. A case a member of staff works on is, most of the
 * time, a resident of the department's intake of the last three weeks (or of
 * the next morning's: a record entered the day after); a few look-ups a day
 * have no record (a telephone inquiry). 生活福祉課 caseworkers work their own
 * caseload (担当割当 生活保護); 子育て支援課 is assigned the large households
 * (児童). Each part has its own random stream, derived from its department and
 * day, so it is the same whatever is generated before it.
 */

/** Records a department receives per member of staff and business day (× the activity scale). */
const INTAKE_PER_STAFF = 2;
/** How far back a case reaches into the department's intake (days). */
const CASE_DAYS_BACK = 20;
/** Share of picks whose record is entered the next morning. */
const NEXT_MORNING = 0.04;
/** Share of the look-ups of an ordinary day (at scale 1) without any record: telephone inquiries and the like. */
const WITHOUT_RECORD = 0.06;
/** Share of a caseworker's look-ups on the own caseload. */
const CASELOAD_SHARE = 0.6;

/** 種別 and 業務コード of the records each department receives. */
const RECORD_KINDS: Record<string, { kinds: readonly string[]; code: string }> = {
  '100100': { kinds: ['届出受付', '届出受付', '証明書交付申請'], code: 'J01' },
  '100200': { kinds: ['申請受付', '届出受付'], code: 'K01' },
  '100300': { kinds: ['課税資料', '相談受付'], code: 'Z01' },
  '100400': { kinds: ['申請受付', '相談受付'], code: 'F03' },
  '100500': { kinds: ['相談受付', '申請受付'], code: 'S02' },
  '100600': { kinds: ['照会依頼'], code: '' },
  '100700': { kinds: ['相談受付', '照会依頼'], code: 'Z02' },
};

/** One business record as the demo writes it (BUSINESS_RECORDS_YYYYMMDD.csv). */
export interface DemoRecord {
  /** 受付日 'YYYY-MM-DD' and milliseconds after its 00:00 JST. */
  date: string;
  time: number;
  dept: DemoDepartment;
  resident: number;
  kind: string;
  code: string;
  receipt: string;
  /** Which numbers the record names (at least one). */
  byResidentNo: boolean;
  byIntegratedNo: boolean;
}

/** One row of assignments.csv. */
export interface DemoAssignment {
  kind: string;
  dept: string;
  staffId: string;
  household: number;
  start: string;
}

export interface IntakeOptions {
  seed: string;
  staff: readonly DemoStaff[];
  residents: DemoResidents;
  /** Residents ordinary work never touches (watchlist, staff households and neighbours, 除票, planted targets). */
  reserved: Uint8Array;
  scale: number;
  overrides: readonly CalendarOverride[];
  /** The 開庁 day: 市民課 receives a few records. */
  openDay: string;
}

export class IntakeBook {
  private readonly cache = new Map<string, Int32Array>();
  /** Per day: the days a case of that day reaches back to (and the next morning), computed once. */
  private readonly around = new Map<string, { back: string[]; next: string }>();
  private readonly staffPerDept = new Map<string, number>();
  private readonly caseloads = new Map<number, Int32Array>();
  /** 子育て支援課's households (児童). */
  readonly childHouseholds: number[] = [];

  constructor(private readonly o: IntakeOptions) {
    for (const s of o.staff) this.staffPerDept.set(s.dept.code, (this.staffPerDept.get(s.dept.code) ?? 0) + 1);
    const rng = Random.derive(o.seed, 'caseloads');
    const households = o.residents.householdStart.length;
    for (const s of o.staff) {
      if (s.dept.code !== '100500') continue;
      const load = new Set<number>();
      for (let tries = 0; load.size < 12 + 8 * o.scale && tries < 1000; tries++) {
        const h = rng.int(0, households - 1);
        if (!this.reserved(o.residents.householdStart[h])) load.add(h);
      }
      this.caseloads.set(s.index, Int32Array.from(load));
    }
    for (let h = 0; h < households; h++) {
      if (o.residents.householdSize[h] >= 4 && h % 7 === 0 && !this.reserved(o.residents.householdStart[h])) this.childHouseholds.push(h);
    }
  }

  private reserved(i: number): boolean {
    return this.o.reserved[i] === 1;
  }

  /** The residents whose records a department receives on a day (none on a closed day). */
  intake(dept: DemoDepartment, day: string): Int32Array {
    const key = `${dept.code}|${day}`;
    let list = this.cache.get(key);
    if (list) return list;
    const open = isBusinessDay(day, this.o.overrides);
    const base = (this.staffPerDept.get(dept.code) ?? 0) * INTAKE_PER_STAFF * this.o.scale;
    const size = !open ? 0 : day === this.o.openDay ? (dept.code === '100100' ? Math.round(base * 0.3) : 0) : Math.round(base);
    const rng = Random.derive(this.o.seed, 'intake', dept.code, day);
    list = new Int32Array(size);
    for (let k = 0; k < size; ) {
      const i = rng.int(0, this.o.residents.count - 1);
      if (!this.reserved(i)) list[k++] = i;
    }
    this.cache.set(key, list);
    return list;
  }

  /** The business records of a department's day, in time order (08:40–17:00). */
  records(dept: DemoDepartment, day: string): DemoRecord[] {
    const list = this.intake(dept, day);
    const rng = Random.derive(this.o.seed, 'records', dept.code, day);
    const { kinds, code } = RECORD_KINDS[dept.code];
    const yyyymmdd = day.replace(/-/g, '');
    const out: DemoRecord[] = [];
    for (let k = 0; k < list.length; k++) {
      const r = rng.next();
      out.push({
        date: day,
        time: (8 * 60 + 40) * 60_000 + Math.floor(rng.next() * 500 * 60_000),
        dept,
        resident: list[k],
        kind: rng.pick(kinds),
        code,
        receipt: `${yyyymmdd}-${String(k + 1).padStart(5, '0')}`,
        byResidentNo: r >= 0.2,
        byIntegratedNo: r < 0.9,
      });
    }
    return out.sort((a, b) => a.time - b.time || a.receipt.localeCompare(b.receipt));
  }

  /**
   * A resident with a record of the department from the last three weeks
   * (or, now and then, the next morning), or -1 when the department received
   * none in that time (a case without a record).
   */
  recorded(rng: Random, dept: DemoDepartment, day: string, nextMorning = true): number {
    let days = this.around.get(day);
    if (!days) {
      days = { back: Array.from({ length: CASE_DAYS_BACK + 1 }, (_, k) => addDays(day, -k)), next: addDays(day, 1) };
      this.around.set(day, days);
    }
    for (let tries = 0; tries < 8; tries++) {
      const when = nextMorning && rng.chance(NEXT_MORNING) ? days.next : days.back[rng.int(0, CASE_DAYS_BACK)];
      const list = this.intake(dept, when);
      if (list.length) return list[rng.int(0, list.length - 1)];
    }
    return -1;
  }

  /**
   * The resident of an ordinary case of `staff` on `day`: the own caseload
   * (生活福祉課), else the department's intake, else — a few times a day,
   * however busy — a resident without a record (none reserved, never the own household).
   */
  pickCase(rng: Random, staff: DemoStaff, day: string): number {
    if (!rng.chance(WITHOUT_RECORD / Math.max(1, this.o.scale))) {
      const load = this.caseloads.get(staff.index);
      if (load && load.length && rng.chance(CASELOAD_SHARE)) {
        const h = load[rng.int(0, load.length - 1)];
        const i = this.o.residents.householdStart[h] + rng.int(0, this.o.residents.householdSize[h] - 1);
        if (!this.reserved(i)) return i;
      }
      const r = this.recorded(rng, staff.dept, day);
      if (r >= 0) return r;
    }
    for (;;) {
      const i = rng.int(0, this.o.residents.count - 1);
      if (!this.reserved(i)) return i;
    }
  }

  /** assignments.csv: caseworkers' households (生活保護) and 子育て支援課's (児童, the whole department). */
  assignments(): DemoAssignment[] {
    const out: DemoAssignment[] = [];
    for (const s of this.o.staff) {
      for (const h of this.caseloads.get(s.index) ?? []) out.push({ kind: '生活保護', dept: s.dept.code, staffId: s.id, household: h, start: '2024-04-01' });
    }
    for (const h of this.childHouseholds) out.push({ kind: '児童', dept: '100400', staffId: '', household: h, start: '2024-04-01' });
    return out;
  }
}
