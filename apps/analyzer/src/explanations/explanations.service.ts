import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { checkDayRange, checkMonth, monthRange } from '@kansa/calendar';
import { ACCESS_CLASSES, AccessClass, EXPLANATION_KINDS, ExplanationKind, FLAG_KINDS, FlagKind } from '@kansa/rules';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { EventsRepository } from '../events/events.repository';
import { evidenceDays } from '../findings/evidence-days';
import { FindingNotFoundError } from '../findings/findings.errors';
import { FindingsService } from '../findings/findings.service';
import {
  AccessKey,
  EvidenceExplanation,
  ExplainedAccess,
  ExplanationsRepository,
  FlaggedByStaff,
  ShareRow,
} from './explanations.repository';

/** How many accesses of a set were explained, flagged, unexplained — and how many are no classified access. */
export interface ClassCounts {
  explained: number;
  flagged: number;
  unexplained: number;
  /** Evidence events that are no classified access (a search, a print), or of a day not classified yet. */
  notClassified: number;
  /** explained ÷ (explained + flagged + unexplained); null when nothing is classified. */
  explainedShare: number | null;
  /** Accesses each explanation applies to (an access may have several). */
  byExplanation: Partial<Record<ExplanationKind, number>>;
  byFlag: Partial<Record<FlagKind, number>>;
}

/** A finding's evidence with the explanation of each access (docs/explanations.md). */
export interface FindingExplanations {
  findingId: string;
  rule: string;
  day: string;
  userId: string;
  /** The evidence events read (the first 1000 of the finding), and how many the finding has in all. */
  evidenceRead: number;
  evidenceTotal: number;
  /** Whether the unexplained-access rule has classified the finding's day. */
  dayClassified: boolean;
  counts: ClassCounts;
  events: EvidenceExplanation[];
}

/** What the monthly report shows of explanations: the explained share per department and system, and the flagged look-ups per staff member. */
export interface MonthExplanations {
  month: string;
  fromDay: string;
  toDay: string;
  /** Days of the month the rule has classified. */
  classifiedDays: number;
  total: Omit<ShareRow, 'department' | 'source'> & { explainedShare: number | null };
  byDepartmentAndSystem: Array<ShareRow & { explainedShare: number | null }>;
  flaggedByStaff: FlaggedByStaff[];
  /** Distinct unexplained residents per user and day: how many user-days had each count. */
  unexplainedPerUserDay: Array<{ residents: number; userDays: number }>;
}

/**
 * How well the explanations separate ordinary work from planted look-ups
 * (the demo and the benchmark): the share of ordinary accesses explained, and
 * the share of planted ones left unexplained or flagged (a planted access the
 * rule has not classified counts as missed).
 */
export interface ExplanationMeasure {
  ordinary: Record<AccessClass, number>;
  ordinaryExplainedShare: number | null;
  planted: Record<AccessClass | 'missing', number>;
  plantedUnexplainedOrFlaggedShare: number | null;
}

/** Japanese labels of the vocabulary, for CLI and API answers. */
export const EXPLANATION_LABELS = { classes: ACCESS_CLASSES, explanations: EXPLANATION_KINDS, flags: FLAG_KINDS };

/** Thrown for a request the caller can correct (a bad date, no user nor resident). */
export class ExplanationsInputError extends Error {}

/**
 * Explanations as staff read them: a finding's evidence with why each access
 * is considered fine (or not), a user's or a resident's classified accesses,
 * and a month's shares for the report. Reads what the unexplained-access rule
 * stored; nothing here classifies.
 */
@Injectable()
export class ExplanationsService {
  constructor(
    private readonly repo: ExplanationsRepository,
    private readonly findings: FindingsService,
    private readonly events: EventsRepository,
    @Inject(RULE_CATALOG) private readonly rules: RuleCatalog,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  /** The evidence of a finding (mass-lookup, watchlist-access, self-lookup … any rule) with the explanation of each access. */
  async forFinding(id: string): Promise<FindingExplanations> {
    const finding = await this.findings.get(id);
    if (!finding) throw new FindingNotFoundError(id);
    const { fromDay, toDay } = evidenceDays(this.rules, this.config.rules, finding);
    const events = await this.repo.evidence(finding.evidenceIds, fromDay, toDay);
    const classified = await this.repo.classifiedDays(finding.day, finding.day);
    return {
      findingId: id,
      rule: finding.rule,
      day: finding.day,
      userId: finding.userId,
      evidenceRead: finding.evidenceIds.length,
      evidenceTotal: finding.evidenceTotal,
      dayClassified: classified.has(finding.day),
      counts: countClasses(events.map((e) => ({ class: e.class, explanations: e.explanations, flags: e.flags, accesses: 1 }))),
      events,
    };
  }

  /** A user's or a resident's classified accesses of a period (days inclusive), oldest first. */
  async accesses(options: {
    userId?: string;
    subject?: string;
    fromDay: string;
    toDay: string;
    classes?: readonly AccessClass[];
    limit?: number;
  }): Promise<{ total: number; counts: ClassCounts; accesses: ExplainedAccess[] }> {
    const { fromDay, toDay } = options;
    checkDayRange('from', fromDay, 'to', toDay);
    if (!options.userId && !options.subject)
      throw new ExplanationsInputError('user or subject is required (職員IDか住民の番号を指定してください)');
    const subjectIds = options.subject ? await this.events.residentNumbers(options.subject) : undefined;
    const { total, rows } = await this.repo.accesses({
      fromDay,
      toDay,
      userId: options.userId,
      subjectIds,
      classes: options.classes,
      limit: options.limit ?? 10_000,
    });
    return { total, counts: countClasses(rows), accesses: rows };
  }

  /** The month's explained share per department and system, and the unexplained look-ups of flagged residents per staff member. */
  async month(month: string): Promise<MonthExplanations> {
    checkMonth('--month', month);
    const { from: fromDay, to: toDay } = monthRange(month);
    const [rows, flaggedByStaff, classified, perUserDay] = await Promise.all([
      this.repo.shares(fromDay, toDay),
      this.repo.flaggedByStaff(fromDay, toDay),
      this.repo.classifiedDays(fromDay, toDay),
      this.repo.unexplainedPerUserDay(fromDay, toDay),
    ]);
    const sum = (k: 'accesses' | 'explained' | 'flagged' | 'unexplained') => rows.reduce((n, r) => n + r[k], 0);
    const total = { accesses: sum('accesses'), explained: sum('explained'), flagged: sum('flagged'), unexplained: sum('unexplained') };
    return {
      month,
      fromDay,
      toDay,
      classifiedDays: classified.size,
      total: { ...total, explainedShare: share(total.explained, total.accesses) },
      byDepartmentAndSystem: rows.map((r) => ({ ...r, explainedShare: share(r.explained, r.accesses) })),
      flaggedByStaff,
      unexplainedPerUserDay: perUserDay,
    };
  }

  /** Ordinary accesses of a period against the planted look-ups `planted` (keys of day, user and numbers as recorded). */
  async measure(fromDay: string, toDay: string, planted: readonly AccessKey[]): Promise<ExplanationMeasure> {
    const { ordinary, keyed } = await this.repo.sharesExcept(fromDay, toDay, planted);
    const o = ordinary.explained + ordinary.flagged + ordinary.unexplained;
    const p = keyed.explained + keyed.flagged + keyed.unexplained + keyed.missing;
    return {
      ordinary,
      ordinaryExplainedShare: share(ordinary.explained, o),
      planted: keyed,
      plantedUnexplainedOrFlaggedShare: share(keyed.flagged + keyed.unexplained, p),
    };
  }
}

function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Counts by class, explanation and flag, each access weighted by how many times it was made. */
export function countClasses(
  items: ReadonlyArray<{ class: AccessClass | ''; explanations: readonly string[]; flags: readonly string[]; accesses: number }>,
): ClassCounts {
  const c: ClassCounts = {
    explained: 0,
    flagged: 0,
    unexplained: 0,
    notClassified: 0,
    explainedShare: null,
    byExplanation: {},
    byFlag: {},
  };
  for (const i of items) {
    if (i.class === '') {
      c.notClassified += i.accesses;
      continue;
    }
    c[i.class] += i.accesses;
    for (const k of i.explanations as ExplanationKind[]) c.byExplanation[k] = (c.byExplanation[k] ?? 0) + i.accesses;
    for (const k of i.flags as FlagKind[]) c.byFlag[k] = (c.byFlag[k] ?? 0) + i.accesses;
  }
  c.explainedShare = share(c.explained, c.explained + c.flagged + c.unexplained);
  return c;
}
