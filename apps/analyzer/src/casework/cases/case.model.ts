/** 事案 states: 受付 → 調査中 → 終結 (with the outcome), and back to 調査中 if it must be looked at again. */
export const CASE_STATES = ['open', 'investigating', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_STATE_TITLES: Record<CaseState, string> = { open: '受付', investigating: '調査中', closed: '終結' };

export const CASE_TRANSITIONS: Record<CaseState, readonly CaseState[]> = {
  open: ['investigating', 'closed'],
  investigating: ['closed'],
  closed: ['investigating'],
};

export type CaseEventKind = 'opened' | 'state' | 'owner' | 'note' | 'link' | 'unlink';

/** One event of a case, as stored. */
export interface CaseEvent {
  caseId: string;
  seq: number;
  at: string;
  by: string;
  kind: CaseEventKind;
  userId: string;
  title: string;
  state: string;
  owner: string;
  /** A note's text, or a closing's outcome. */
  text: string;
  findingId: string;
}

/** A case: what its events add up to. */
export interface Case {
  id: string;
  /** The staff member concerned. */
  userId: string;
  title: string;
  state: CaseState;
  owner: string;
  /** When closed: the outcome. */
  outcome: string;
  openedAt: string;
  openedBy: string;
  updatedAt: string;
  findingIds: string[];
  timeline: CaseEvent[];
}

/** Folds a case's events (in order) into the case. */
export function foldCase(events: readonly CaseEvent[]): Case {
  const first = events[0];
  const c: Case = {
    id: first.caseId,
    userId: first.userId,
    title: first.title,
    state: 'open',
    owner: first.owner,
    outcome: '',
    openedAt: first.at,
    openedBy: first.by,
    updatedAt: first.at,
    findingIds: [],
    timeline: [...events],
  };
  for (const e of events) {
    c.updatedAt = e.at;
    if (e.kind === 'state') {
      c.state = e.state as CaseState;
      c.outcome = e.state === 'closed' ? e.text : '';
    } else if (e.kind === 'owner') c.owner = e.owner;
    else if (e.kind === 'link' && !c.findingIds.includes(e.findingId)) c.findingIds.push(e.findingId);
    else if (e.kind === 'unlink') c.findingIds = c.findingIds.filter((f) => f !== e.findingId);
  }
  return c;
}

/** A staff member to keep watching (継続監視対象), with why. */
export interface RepeatPattern {
  userId: string;
  /** Japanese sentences: what the pattern is. */
  reasons: string[];
  /** Months with findings in the window, and the rules of the month looked at. */
  months: string[];
  rules: string[];
  /** Open cases of the person, if any. */
  openCases: string[];
}

/** A finding as the pattern needs it. */
export interface PatternFinding {
  userId: string;
  day: string;
  rule: string;
}

/**
 * Repeat patterns as of `month` (YYYY-MM): a user with findings in at least
 * `months` of the last `window` months (the month included), or with findings
 * of at least `rulesInMonth` different rules in the month itself. The
 * reasons name the rules by `titleOf` (their Japanese titles).
 */
export function repeatPatterns(
  findings: readonly PatternFinding[],
  month: string,
  settings: { months: number; window: number; rulesInMonth: number },
  titleOf: (rule: string) => string = (rule) => rule,
): Array<Omit<RepeatPattern, 'openCases'>> {
  const byUser = new Map<string, PatternFinding[]>();
  for (const f of findings) if (f.userId) byUser.set(f.userId, [...(byUser.get(f.userId) ?? []), f]);
  const out: Array<Omit<RepeatPattern, 'openCases'>> = [];
  for (const [userId, list] of [...byUser].sort(([a], [b]) => a.localeCompare(b))) {
    const months = [...new Set(list.map((f) => f.day.slice(0, 7)))].sort();
    const rules = [...new Set(list.filter((f) => f.day.startsWith(month)).map((f) => f.rule))].sort();
    const reasons: string[] = [];
    if (months.length >= settings.months)
      reasons.push(`直近${settings.window}か月のうち${months.length}か月で検知（${months.join('、')}）`);
    if (rules.length >= settings.rulesInMonth)
      reasons.push(`${month} に${rules.length}種類のルールで検知（${rules.map(titleOf).join('、')}）`);
    if (reasons.length) out.push({ userId, reasons, months, rules });
  }
  return out;
}
