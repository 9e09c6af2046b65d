import type { CalendarOverride } from '@kansa/calendar';
import type { BusinessHours } from '@kansa/config';

/** An event of a fixture: only what the case needs, the rest defaults. */
export interface FixtureEvent {
  /** JST wall clock, 'YYYY-MM-DD HH:MM[:SS[.sss]]'. */
  ts: string;
  user: string;
  action: string;
  source?: string;
  department?: string;
  terminal?: string;
  businessCode?: string;
  subject?: string;
  recordCount?: number;
  reason?: string;
  object?: string;
  /** The source's own ID (a business record's 所属コード:受付番号). */
  sourceEventId?: string;
}

export interface FixtureMasters {
  staff?: Array<{
    staff_id: string;
    department_code?: string;
    employment_status?: string;
    retired_on?: string | null;
    resident_id?: string;
    household_id?: string;
  }>;
  leaves?: Array<{ staff_id: string; leave_type?: string; start_date: string; end_date?: string | null }>;
  accounts?: Array<{ system: string; account_id: string; staff_id?: string; state?: string; state_changed_on?: string | null }>;
  /** Approved overtime; times HH:MM, an end at or before the start runs past midnight. */
  overtime?: Array<{ staff_id: string; date: string; start: string; end: string }>;
  watchlist?: Array<{
    category?: string;
    resident_id?: string;
    integrated_id?: string;
    start_date: string;
    end_date?: string | null;
    handling_departments: string[];
  }>;
  permissions?: Array<{ department_code: string; system: string; business_code: string }>;
  residents?: Array<{
    resident_id: string;
    integrated_id?: string;
    household_id?: string;
    address_code?: string;
    /** 住登 (default), 転出, 死亡 */
    movement?: string;
    moved_on?: string | null;
  }>;
  assignments?: Array<{
    kind?: string;
    department_code: string;
    staff_id?: string;
    household_id?: string;
    resident_id?: string;
    start_date: string;
    end_date?: string | null;
  }>;
}

/** What a fixture expects of one finding (fields left out are not checked). */
export interface ExpectedFinding {
  day: string;
  subject: string;
  userId?: string;
  count?: number;
  /** Some keys of the finding's details (others are not checked). */
  details?: Record<string, unknown>;
  /** The finding's sentence as staff read it (checked when given). */
  summary?: string;
}

/**
 * One case of a rule: events and masters, the window analysed, and every
 * finding the rule must produce (an empty list: it must produce none).
 */
export interface RuleFixture {
  name: string;
  kind: 'positive' | 'negative' | 'boundary';
  /** Whole JST days analysed, inclusive. */
  window: { fromDay: string; toDay: string };
  events?: FixtureEvent[];
  masters?: FixtureMasters;
  calendar?: CalendarOverride[];
  hours?: Partial<BusinessHours>;
  /** Parameters other than the defaults (parsed through the rule's schema). */
  params?: Record<string, unknown>;
  expected: ExpectedFinding[];
  /** Analyse day by day as well and expect the same findings (state-based rules). */
  dayByDay?: boolean;
}
