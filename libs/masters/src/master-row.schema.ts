import { z } from 'zod';
import { isValidDay } from '@kansa/calendar/business-calendar';
import { overtimeWindow } from '@kansa/calendar/business-hours';
import { MasterKind, MASTERS } from './masters.types';

/*
 * One zod schema per master file. Input: a CSV record keyed by its Japanese
 * header; output: the row as stored in master_<kind> (snake_case, without version).
 * Messages are Japanese: the loader prefixes them with file, line and column.
 */

const text = z.string().trim();
const required = text.min(1, '値がありません（必須項目）');
const staffId = text.regex(/^[A-Za-z0-9_-]{1,32}$/, '職員IDは英数字です（例: K000123）');
const departmentCode = text.regex(/^\d{6}$/, '所属コードは6桁の数字です');
const system = text.regex(/^[a-z][a-z0-9_-]{0,31}$/, 'システムは jumin / atena / chukan / terminal などの英小文字IDです');
const residentNo = text.regex(/^\d{10}$/, '宛名番号は10桁の数字です');
/** An optional pattern field: empty, or matching. */
const optionalMatch = (re: RegExp, message: string) => text.refine((v) => v === '' || re.test(v), message);
const optionalStaffId = optionalMatch(/^[A-Za-z0-9_-]{1,32}$/, '職員IDは英数字です（例: K000123）');
const optionalResidentNo = optionalMatch(/^\d{10}$/, '宛名番号は10桁の数字です');
const optionalIntegratedNo = optionalMatch(/^\d{15}$/, '統合宛名番号は15桁の数字です');
const optionalHouseholdNo = optionalMatch(/^\d{1,20}$/, '世帯番号は数字です');

/**
 * A date as YYYY-MM-DD; YYYY/M/D is accepted too, because Excel rewrites
 * dates that way when it saves a CSV. Normalised to YYYY-MM-DD.
 */
const parseDate = (v: string, ctx: z.RefinementCtx, allowEmpty: boolean): string | null => {
  if (allowEmpty && v === '') return null;
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(v);
  const day = m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : '';
  if (!m || !isValidDay(day)) {
    ctx.addIssue({ code: 'custom', message: v ? '日付ではありません（YYYY-MM-DD）' : '値がありません（日付 YYYY-MM-DD）' });
    return z.NEVER;
  }
  return day;
};
const date = text.transform((v, ctx) => parseDate(v, ctx, false) as string);
const optionalDate = text.transform((v, ctx) => parseDate(v, ctx, true));

/** A time as HH:MM (H:MM accepted), normalised to HH:MM. */
const time = text.transform((v, ctx) => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    ctx.addIssue({ code: 'custom', message: '時刻ではありません（HH:MM、00:00〜23:59）' });
    return z.NEVER;
  }
  return `${m[1].padStart(2, '0')}:${m[2]}`;
});

const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  text.refine((v): v is T => (values as readonly string[]).includes(v), `${values.join(' / ')} のいずれかです`) as unknown as z.ZodType<T>;

export const staffRowSchema = z
  .object({
    職員ID: staffId,
    氏名: required,
    所属コード: departmentCode,
    所属名: required,
    在職区分: oneOf(['在職', '休職', '退職']),
    退職日: optionalDate,
    宛名番号: optionalResidentNo,
    世帯番号: optionalHouseholdNo,
  })
  .transform((r) => ({
    staff_id: r.職員ID,
    name: r.氏名,
    department_code: r.所属コード,
    department_name: r.所属名,
    employment_status: r.在職区分,
    retired_on: r.退職日,
    resident_id: r.宛名番号,
    household_id: r.世帯番号,
  }));

export const leaveRowSchema = z
  .object({ 職員ID: staffId, 休業種別: required, 開始日: date, 終了日: optionalDate })
  .superRefine((r, ctx) => {
    if (r.終了日 && r.終了日 < r.開始日) ctx.addIssue({ code: 'custom', path: ['終了日'], message: `開始日 ${r.開始日} より前です` });
  })
  .transform((r) => ({ staff_id: r.職員ID, leave_type: r.休業種別, start_date: r.開始日, end_date: r.終了日 }));

export const accountRowSchema = z
  .object({
    システム: system,
    アカウントID: required,
    職員ID: optionalStaffId,
    状態: oneOf(['有効', '停止', '削除']),
    状態変更日: optionalDate,
  })
  .transform((r) => ({
    system: r.システム,
    account_id: r.アカウントID,
    staff_id: r.職員ID,
    state: r.状態,
    state_changed_on: r.状態変更日,
  }));

export const overtimeRowSchema = z
  .object({ 職員ID: staffId, 日付: date, 開始時刻: time, 終了時刻: time, 承認者: required })
  .superRefine((r, ctx) => {
    if (r.開始時刻 === r.終了時刻) ctx.addIssue({ code: 'custom', path: ['終了時刻'], message: '開始時刻と同じです' });
  })
  .transform((r) => {
    // An end before the start runs past midnight (spec/sources.md).
    const w = overtimeWindow(r.日付, r.開始時刻, r.終了時刻);
    return {
      staff_id: r.職員ID,
      date: r.日付,
      start_at: w.startAt.slice(0, 19),
      end_at: w.endAt.slice(0, 19),
      approver: r.承認者,
    };
  });

export const watchlistRowSchema = z
  .object({
    区分: required,
    宛名番号: optionalResidentNo,
    統合宛名番号: optionalIntegratedNo,
    開始日: date,
    終了日: optionalDate,
    担当所属コード: text.transform((v, ctx) => {
      const codes = v
        .split(/[;；]/)
        .map((c) => c.trim())
        .filter(Boolean);
      const bad = codes.find((c) => !/^\d{6}$/.test(c));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `所属コード "${bad}" は6桁の数字ではありません（複数は ; 区切り）` });
        return z.NEVER;
      }
      return codes;
    }),
  })
  .superRefine((r, ctx) => {
    if (!r.宛名番号 && !r.統合宛名番号)
      ctx.addIssue({ code: 'custom', path: ['宛名番号'], message: '宛名番号か統合宛名番号のどちらかが必要です' });
    if (r.終了日 && r.終了日 < r.開始日) ctx.addIssue({ code: 'custom', path: ['終了日'], message: `開始日 ${r.開始日} より前です` });
  })
  .transform((r) => ({
    category: r.区分,
    resident_id: r.宛名番号,
    integrated_id: r.統合宛名番号,
    start_date: r.開始日,
    end_date: r.終了日,
    handling_departments: r.担当所属コード,
  }));

export const permissionRowSchema = z
  .object({
    所属コード: departmentCode,
    システム: system,
    業務コード: text.regex(/^(\*|[A-Za-z0-9_-]{1,16})$/, '業務コードは英数字、全業務なら * です'),
  })
  .transform((r) => ({ department_code: r.所属コード, system: r.システム, business_code: r.業務コード }));

/** 異動区分 of residents.csv: 住登 (a resident; the default) or a 除票 from 異動日 (転出, 死亡). */
export const RESIDENT_MOVEMENTS = ['住登', '転出', '死亡'] as const;

/**
 * residents.csv; 住所コード, 異動区分 and 異動日 are optional columns (a file
 * of the first three stays valid). 住所コード is an opaque code (same code =
 * same address; no address text). 転出 and 死亡 need their 異動日.
 */
export const residentRowSchema = z
  .object({
    宛名番号: residentNo,
    統合宛名番号: optionalIntegratedNo,
    世帯番号: optionalHouseholdNo,
    住所コード: optionalMatch(/^[A-Za-z0-9_-]{1,32}$/, '住所コードは英数字です（住所そのものは書きません）').default(''),
    異動区分: text
      .transform((v) => v || '住登')
      .refine((v) => (RESIDENT_MOVEMENTS as readonly string[]).includes(v), `${RESIDENT_MOVEMENTS.join(' / ')} のいずれかです`)
      .default('住登'),
    異動日: optionalDate.default(null),
  })
  .superRefine((r, ctx) => {
    if ((r.異動区分 === '転出' || r.異動区分 === '死亡') && !r.異動日)
      ctx.addIssue({ code: 'custom', path: ['異動日'], message: `${r.異動区分}には異動日が必要です（YYYY-MM-DD）` });
  })
  .transform((r) => ({
    resident_id: r.宛名番号,
    integrated_id: r.統合宛名番号,
    household_id: r.世帯番号,
    address_code: r.住所コード,
    movement: r.異動区分,
    moved_on: r.異動日,
  }));

/**
 * assignments.csv (担当割当): a department (職員ID empty) or a person assigned
 * to a household (世帯番号) or a resident (宛名番号) — one of the two — from
 * 開始日 to 終了日 (empty: ongoing).
 */
export const assignmentRowSchema = z
  .object({
    担当種別: required,
    所属コード: departmentCode,
    職員ID: optionalStaffId,
    世帯番号: optionalHouseholdNo,
    宛名番号: optionalResidentNo,
    開始日: date,
    終了日: optionalDate,
  })
  .superRefine((r, ctx) => {
    if (!r.世帯番号 === !r.宛名番号)
      ctx.addIssue({ code: 'custom', path: ['世帯番号'], message: '世帯番号か宛名番号のどちらか一方を書きます' });
    if (r.終了日 && r.終了日 < r.開始日) ctx.addIssue({ code: 'custom', path: ['終了日'], message: `開始日 ${r.開始日} より前です` });
  })
  .transform((r) => ({
    kind: r.担当種別,
    department_code: r.所属コード,
    staff_id: r.職員ID,
    household_id: r.世帯番号,
    resident_id: r.宛名番号,
    start_date: r.開始日,
    end_date: r.終了日,
  }));

export const calendarRowSchema = z
  .object({ 日付: date, 区分: oneOf(['開庁', '閉庁']), 備考: text })
  .transform((r) => ({ date: r.日付, kind: r.区分, note: r.備考 }));

export const MASTER_ROW_SCHEMAS = {
  staff: staffRowSchema,
  leaves: leaveRowSchema,
  accounts: accountRowSchema,
  overtime: overtimeRowSchema,
  watchlist: watchlistRowSchema,
  permissions: permissionRowSchema,
  residents: residentRowSchema,
  calendar: calendarRowSchema,
  assignments: assignmentRowSchema,
} as const satisfies Record<MasterKind, z.ZodType>;

export type MasterRow<K extends MasterKind> = z.output<(typeof MASTER_ROW_SCHEMAS)[K]>;

/**
 * Columns that identify a row: the same key twice in one file is an error
 * (which of the two would be meant?).
 */
export const MASTER_KEYS: { [K in MasterKind]?: (row: MasterRow<K>) => string } = {
  staff: (r) => r.staff_id,
  accounts: (r) => `${r.system}/${r.account_id}`,
  residents: (r) => r.resident_id,
  calendar: (r) => r.date,
};

/** The header column a key error is reported on. */
export const MASTER_KEY_COLUMNS: { [K in MasterKind]?: string } = {
  staff: MASTERS.staff.header[0],
  accounts: MASTERS.accounts.header[1],
  residents: MASTERS.residents.header[0],
  calendar: MASTERS.calendar.header[0],
};
