import { checkDayRange, eachDay, isValidDay } from '@kansa/calendar';
import { unknownRulesMessage } from '@kansa/rules';
import { firstIssueText, japaneseIssues } from '@kansa/domain';
import { z } from 'zod';
import { CaseworkRequestError } from '../casework-request.error';

/**
 * 例外承認: a planned, legitimate outlier approved in advance (docs/casework.md
 * "Approved exceptions"). Its scope: one rule; optionally users, departments,
 * systems (sources) and business codes; a period (valid from/to, which is
 * also when it is in force) or some days of it; optionally a raised
 * threshold (maxCount: findings whose count is within it are covered, above
 * it they are reported as usual) instead of a blanket pass.
 */
export interface ExceptionScope {
  rule: string;
  userIds: string[];
  departments: string[];
  sources: string[];
  businessCodes: string[];
  validFrom: string;
  validTo: string;
  /** Only these days of the period (empty: every day). */
  days: string[];
  maxCount: number | null;
}

export interface ExceptionRecord extends ExceptionScope {
  id: string;
  version: number;
  state: 'active' | 'revoked';
  reason: string;
  /** 決裁番号 or another reference to the approval. */
  reference: string;
  requestedBy: string;
  approvedBy: string;
  changedAt: string;
  changedBy: string;
  note: string;
}

const list = z.array(z.string().trim().min(1)).default([]);

/** What a person gives to approve (or re-approve) an exception; checked by checkException. */
export const exceptionInput = z
  .object({
    rule: z.string().min(1),
    userIds: list,
    departments: list,
    sources: list,
    businessCodes: list,
    validFrom: z.string(),
    validTo: z.string(),
    days: list,
    maxCount: z.number().int().min(1).nullable().default(null),
    reason: z.string().trim().min(1, '理由を記入してください'),
    reference: z.string().trim().min(1, '決裁番号などの参照を記入してください'),
    requestedBy: z.string().trim().min(1, '申請者を記入してください'),
    approvedBy: z.string().trim().min(1, '承認者を記入してください'),
  })
  .strict();
export type ExceptionInput = z.input<typeof exceptionInput>;

/**
 * Checks an exception as approved: a known rule, a real period no longer than
 * `maxDays` (both ends included), days within it, and an approver who is not
 * the requester. Returns it parsed; throws CaseworkRequestError naming the field.
 */
export function checkException(input: unknown, knownRules: readonly string[], maxDays: number): z.output<typeof exceptionInput> {
  const parsed = exceptionInput.safeParse(input, { error: japaneseIssues });
  if (!parsed.success) throw new CaseworkRequestError(firstIssueText(parsed.error, '(input)'));
  const e = parsed.data;
  if (!knownRules.includes(e.rule)) throw new CaseworkRequestError(unknownRulesMessage('rule', [e.rule], knownRules));
  try {
    checkDayRange('validFrom', e.validFrom, 'validTo', e.validTo);
  } catch (err) {
    throw new CaseworkRequestError((err as Error).message);
  }
  const days = eachDay(e.validFrom, e.validTo).length;
  if (days > maxDays) {
    throw new CaseworkRequestError(`validTo: the exception runs ${days} days, more than ${maxDays} (期間が長すぎます: 最長 ${maxDays} 日)`);
  }
  for (const d of e.days) {
    if (!isValidDay(d) || d < e.validFrom || d > e.validTo)
      throw new CaseworkRequestError(`days: "${d}" is not a day of ${e.validFrom}..${e.validTo} (対象日が期間外です)`);
  }
  if (e.approvedBy === e.requestedBy) {
    throw new CaseworkRequestError(
      'approvedBy: the approver must be another person than the requester (申請者と承認者は別の人にしてください)',
    );
  }
  return e;
}

/** What is known of a finding to decide whether an exception covers it. */
export interface FindingFacts {
  rule: string;
  day: string;
  userId: string;
  count: number;
  /** The user's department on that day (staff master), '' when unknown. */
  department: string;
  /** Sources and business codes of its evidence events (only asked when an exception scopes them). */
  sources?: readonly string[];
  businessCodes?: readonly string[];
}

/** Whether an active exception covers a finding: every dimension it scopes holds (an empty one holds for all). */
export function covers(x: ExceptionRecord, f: FindingFacts): boolean {
  if (x.state !== 'active' || x.rule !== f.rule) return false;
  if (f.day < x.validFrom || f.day > x.validTo) return false;
  if (x.days.length && !x.days.includes(f.day)) return false;
  if (x.userIds.length && !x.userIds.includes(f.userId)) return false;
  if (x.departments.length && !x.departments.includes(f.department)) return false;
  if (x.sources.length && !(f.sources ?? ['']).every((s) => x.sources.includes(s))) return false;
  if (x.businessCodes.length && !(f.businessCodes ?? ['']).every((b) => x.businessCodes.includes(b))) return false;
  if (x.maxCount !== null && f.count > x.maxCount) return false;
  return true;
}

/** Whether an exception's scope needs the finding's evidence events (systems or business codes). */
export function needsEvidence(x: ExceptionScope): boolean {
  return x.sources.length > 0 || x.businessCodes.length > 0;
}
