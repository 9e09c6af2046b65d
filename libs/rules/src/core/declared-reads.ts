import { daysBetween } from '@kansa/calendar';
import { TABLES } from '@kansa/storage/tables';
import {
  ALL_EVENTS,
  lookaheadDaysOf,
  lookbackDaysOf,
  MASTER_NAMES,
  MasterName,
  RuleContext,
  RuleDefinition,
  ruleStatements,
} from './define-rule';

/** The tables behind each master a rule can declare (calendar: the prepared calendar_days, built from calendar.csv). */
export const MASTER_TABLES: Readonly<Record<MasterName, readonly string[]>> = {
  staff: [TABLES.staff],
  leaves: [TABLES.leaves],
  accounts: [TABLES.accounts],
  overtime: [TABLES.overtime],
  watchlist: [TABLES.watchlist],
  permissions: [TABLES.permissions],
  residents: [TABLES.residents],
  calendar: [TABLES.calendar, TABLES.calendarDays],
  assignments: [TABLES.assignments],
};

const KNOWN_TABLES = new Set<string>(Object.values(TABLES));

/** kansa tables a query reads: names after FROM or JOIN (CTE names are not tables). */
export function tablesRead(sql: string): Set<string> {
  // A CTE (`name AS (…)`) shadows a table of the same name within its statement (concurrent-sessions' `sessions`).
  const ctes = new Set([...sql.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s+AS\s*\(/gi)].map((m) => m[1]));
  const out = new Set<string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)/gi))
    if (KNOWN_TABLES.has(m[1]) && !ctes.has(m[1])) out.add(m[1]);
  return out;
}

/** kansa tables a statement writes (INSERT INTO): a rule's own derived tables (prepare). */
export function tablesWritten(sql: string): Set<string> {
  const out = new Set<string>();
  for (const m of sql.matchAll(/\bINSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)/gi)) if (KNOWN_TABLES.has(m[1])) out.add(m[1]);
  return out;
}

/**
 * The sources a query filters events to (`source = {p:String}`,
 * `source IN {p:Array(String)}`), or null when it filters none.
 */
export function sourceFilter(sql: string, params: Record<string, unknown>): string[] | null {
  const values = [...sql.matchAll(/\bsource\s*(?:=|IN)\s*\{(\w+):[^}]+\}/gi)].flatMap((m) => params[m[1]] as string | string[]);
  return values.length ? [...new Set(values)].sort() : null;
}

/**
 * The earliest day a query can read: rule SQL never calls now(), so every
 * day it reaches is a date parameter, or the first of the month of one
 * (`toStartOfMonth({p:Date})`). Date arithmetic in the SQL text
 * (`{fromDay:Date} - 1`) is not followed.
 */
export function earliestDay(sql: string, params: Record<string, unknown>): string | null {
  const days = [...sql.matchAll(/\{(\w+):\s*(?:Date|DateTime64[^}]*)\}/g)].map((m) => String(params[m[1]]).slice(0, 10));
  for (const m of sql.matchAll(/toStartOfMonth\(\s*\{(\w+):\s*Date\}\s*\)/g)) days.push(`${String(params[m[1]]).slice(0, 8)}01`);
  return days.length ? days.sort()[0] : null;
}

/**
 * The latest day a query can read: the latest `{p:Date}` parameter (an
 * instant parameter such as `{to:DateTime64}` is the exclusive end of the
 * window and does not count).
 */
export function latestDay(sql: string, params: Record<string, unknown>): string | null {
  const days = [...sql.matchAll(/\{(\w+):\s*Date\}/g)].map((m) => String(params[m[1]]).slice(0, 10));
  return days.length ? days.sort()[days.length - 1] : null;
}

const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;

/**
 * Where a rule's declaration (`reads`) differs from what its query reads,
 * one sentence per difference naming the rule (empty: it declares exactly
 * what it reads). Pass windows that exercise the look-back, e.g. one of a
 * whole month and one that is a month's 31st day alone: the declared
 * look-back must equal the furthest the query reaches back in any of them.
 */
export function undeclaredReads(rule: RuleDefinition<unknown, unknown>, contexts: ReadonlyArray<RuleContext<unknown>>): string[] {
  const problems = new Set<string>();
  const { events, masters, dayOnly = [] } = rule.reads;
  const stray = events === ALL_EVENTS ? dayOnly : dayOnly.filter((s) => !events.includes(s));
  if (stray.length) problems.add(`${rule.id}: reads.dayOnly names ${list(stray)}, which reads.events does not list`);
  let reach = 0;
  let ahead = 0;
  for (const ctx of contexts) {
    // A rule's statements (prepare, then query) read together: one text, one set of parameters.
    const statements = ruleStatements(rule, ctx);
    const query = statements.map((q) => q.query).join(';\n');
    const query_params = Object.assign({}, ...statements.map((q) => q.query_params)) as Record<string, unknown>;
    const derived = tablesWritten(query);
    const tables = tablesRead(query);
    const readsEvents = tables.has(TABLES.events);
    if (readsEvents && events !== ALL_EVENTS && events.length === 0) {
      problems.add(
        `${rule.id}: its query reads ${TABLES.events} but reads.events declares none — declare the sources it reads, or ALL_EVENTS`,
      );
    }
    if (!readsEvents && (events === ALL_EVENTS || events.length > 0)) {
      problems.add(
        `${rule.id}: reads.events declares ${events === ALL_EVENTS ? 'ALL_EVENTS' : list(events)} but its query does not read ${TABLES.events}`,
      );
    }
    if (readsEvents) {
      const filtered = sourceFilter(query, query_params);
      if (events === ALL_EVENTS && filtered) {
        problems.add(
          `${rule.id}: its query reads only the sources ${list(filtered)} but reads.events declares ALL_EVENTS — declare ${list(filtered)}`,
        );
      }
      if (events !== ALL_EVENTS && events.length > 0 && list(filtered ?? []) !== list([...events].sort())) {
        problems.add(
          filtered
            ? `${rule.id}: its query reads the sources ${list(filtered)} but reads.events declares ${list(events)}`
            : `${rule.id}: reads.events declares ${list(events)} but its query reads every source (no source = {…} filter) — declare ALL_EVENTS`,
        );
      }
      const earliest = earliestDay(query, query_params);
      if (earliest) reach = Math.max(reach, daysBetween(earliest, ctx.fromDay));
      const latest = latestDay(query, query_params);
      if (latest) ahead = Math.max(ahead, daysBetween(ctx.toDay, latest));
    }
    for (const master of MASTER_NAMES) {
      const read = MASTER_TABLES[master].filter((t) => tables.has(t));
      if (read.length && !masters.includes(master)) {
        problems.add(`${rule.id}: its query reads ${read.join(', ')} but reads.masters does not declare '${master}'`);
      }
      if (!read.length && masters.includes(master)) {
        problems.add(`${rule.id}: reads.masters declares '${master}' but its query reads none of ${MASTER_TABLES[master].join(', ')}`);
      }
    }
    for (const table of tables) {
      if (table !== TABLES.events && !derived.has(table) && !MASTER_NAMES.some((m) => MASTER_TABLES[m].includes(table))) {
        problems.add(
          `${rule.id}: its query reads ${table}, which is neither events nor a master: the analysis ledger cannot tell when it changes`,
        );
      }
    }
  }
  const declared = lookbackDaysOf(rule, contexts[0]?.params);
  if (declared < reach) {
    problems.add(`${rule.id}: its query reads events up to ${reach} days before its window but reads.lookbackDays is ${declared}`);
  }
  if (declared > reach) {
    problems.add(`${rule.id}: reads.lookbackDays is ${declared} but its query reads events at most ${reach} days before its window`);
  }
  const declaredAhead = lookaheadDaysOf(rule, contexts[0]?.params);
  if (declaredAhead !== ahead) {
    problems.add(`${rule.id}: its query reads events up to ${ahead} days after its window but reads.lookaheadDays is ${declaredAhead}`);
  }
  return [...problems];
}
