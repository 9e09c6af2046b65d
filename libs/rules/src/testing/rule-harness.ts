import { createHash } from 'node:crypto';
import { addDays, buildCalendarDays, overtimeWindow } from '@kansa/calendar';
import { eventRow, openTestStore, TestStore } from '@kansa/test-kit';
import type { AnyRuleDefinition } from '../catalog';
import { inlineParams } from '../core/inline-params';
import { TABLES } from '@kansa/storage/tables';
import { insertEventRows } from '@kansa/storage/event-rows';
import { FindingDraft, lookbackDaysOf, RuleContext, RuleDefinition } from '../core/define-rule';
import { SAMPLE_MASTER_VERSION, sampleContext } from '../core/sample-context';
import type { FixtureEvent, FixtureMasters, RuleFixture } from './fixture.types';

export const FIXTURE_MASTER_VERSION = SAMPLE_MASTER_VERSION;

/** The analysis context of a window, as the analyzer builds it (masters: FIXTURE_MASTER_VERSION). */
export const ruleContext = sampleContext;

/** A stable event ID from the event's content (as the collector derives one). */
export function fixtureEventId(e: FixtureEvent, index: number): string {
  return createHash('md5')
    .update(JSON.stringify([index, e]))
    .digest('hex');
}

function instant(ts: string): string {
  const [d, t] = ts.split(/[ T]/);
  const [hms, ms = '000'] = t.split('.');
  const parts = hms.split(':');
  while (parts.length < 3) parts.push('00');
  return `${d} ${parts.join(':')}.${ms.padEnd(3, '0')}`;
}

/**
 * Runs rules against a real embedded ClickHouse: one store per test file,
 * each case loaded into emptied tables.
 */
export class RuleHarness {
  private constructor(readonly store: TestStore) {}

  static async open(): Promise<RuleHarness> {
    return new RuleHarness(await openTestStore());
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** Empties events, masters and calendar, then loads the fixture. */
  async load(fixture: Pick<RuleFixture, 'events' | 'masters' | 'calendar' | 'window'>, lookbackDays = 0): Promise<void> {
    const c = this.store.client;
    for (const t of [
      TABLES.events,
      TABLES.staff,
      TABLES.leaves,
      TABLES.accounts,
      TABLES.overtime,
      TABLES.watchlist,
      TABLES.permissions,
      TABLES.residents,
      TABLES.assignments,
      TABLES.accessExplanations,
      TABLES.calendarDays,
    ]) {
      await c.command({ query: `TRUNCATE TABLE ${t}` });
    }
    await this.insertEvents(fixture.events ?? []);
    await this.insertMasters(fixture.masters ?? {});
    const days = buildCalendarDays(
      addDays(fixture.window.fromDay, -Math.max(lookbackDays, 1)),
      fixture.window.toDay,
      fixture.calendar ?? [],
    );
    await c.insert({
      table: TABLES.calendarDays,
      values: days.map((d) => ({ calendar_version: FIXTURE_MASTER_VERSION, date: d.date, business_day: d.businessDay, label: d.label })),
      format: 'JSONEachRow',
    });
  }

  async insertEvents(events: FixtureEvent[]): Promise<void> {
    if (events.length === 0) return;
    await insertEventRows(
      this.store.client,
      events.map((e, i) =>
        eventRow({
          event_id: fixtureEventId(e, i),
          ts: instant(e.ts),
          source: e.source ?? 'jumin',
          user_id: e.user,
          department_code: e.department ?? '',
          terminal_id: e.terminal ?? '',
          action: e.action,
          business_code: e.businessCode ?? '',
          subject_id: e.subject ?? '',
          record_count: e.recordCount ?? 0,
          reason: e.reason ?? '',
          outcome: 'success',
          object: e.object ?? '',
          source_event_id: e.sourceEventId ?? '',
          batch_id: 'fixture',
          line_no: i + 1,
        }),
      ),
    );
  }

  async insertMasters(m: FixtureMasters): Promise<void> {
    const version = FIXTURE_MASTER_VERSION;
    const put = async (table: string, rows: Record<string, unknown>[]) => {
      if (rows.length) await this.store.client.insert({ table, values: rows.map((r) => ({ version, ...r })), format: 'JSONEachRow' });
    };
    await put(
      TABLES.staff,
      (m.staff ?? []).map((s) => ({
        staff_id: s.staff_id,
        name: '',
        department_code: s.department_code ?? '',
        department_name: '',
        employment_status: s.employment_status ?? '在職',
        retired_on: s.retired_on ?? null,
        resident_id: s.resident_id ?? '',
        household_id: s.household_id ?? '',
      })),
    );
    await put(
      TABLES.leaves,
      (m.leaves ?? []).map((l) => ({
        staff_id: l.staff_id,
        leave_type: l.leave_type ?? '病気休暇',
        start_date: l.start_date,
        end_date: l.end_date ?? null,
      })),
    );
    await put(
      TABLES.accounts,
      (m.accounts ?? []).map((a) => ({
        system: a.system,
        account_id: a.account_id,
        staff_id: a.staff_id ?? a.account_id,
        state: a.state ?? '有効',
        state_changed_on: a.state_changed_on ?? null,
      })),
    );
    await put(
      TABLES.overtime,
      (m.overtime ?? []).map((o) => {
        const w = overtimeWindow(o.date, o.start, o.end);
        return { staff_id: o.staff_id, date: o.date, start_at: w.startAt.slice(0, 19), end_at: w.endAt.slice(0, 19), approver: '課長' };
      }),
    );
    await put(
      TABLES.watchlist,
      (m.watchlist ?? []).map((w) => ({
        category: w.category ?? 'DV等支援措置',
        resident_id: w.resident_id ?? '',
        integrated_id: w.integrated_id ?? '',
        start_date: w.start_date,
        end_date: w.end_date ?? null,
        handling_departments: w.handling_departments,
      })),
    );
    await put(TABLES.permissions, m.permissions ?? []);
    await put(
      TABLES.residents,
      (m.residents ?? []).map((r) => ({
        resident_id: r.resident_id,
        integrated_id: r.integrated_id ?? '',
        household_id: r.household_id ?? '',
        address_code: r.address_code ?? '',
        movement: r.movement ?? '住登',
        moved_on: r.moved_on ?? null,
      })),
    );
    await put(
      TABLES.assignments,
      (m.assignments ?? []).map((a) => ({
        kind: a.kind ?? '生活保護',
        department_code: a.department_code,
        staff_id: a.staff_id ?? '',
        household_id: a.household_id ?? '',
        resident_id: a.resident_id ?? '',
        start_date: a.start_date,
        end_date: a.end_date ?? null,
      })),
    );
  }

  /** Runs a rule's query for a context and maps every row to a finding draft. */
  async run<P>(rule: RuleDefinition<P, unknown>, ctx: RuleContext<P>): Promise<FindingDraft[]> {
    for (const statement of rule.prepare?.(ctx) ?? []) {
      await this.store.client.command({ query: statement.query, query_params: statement.query_params });
    }
    const q = rule.query(ctx);
    const rs = await this.store.client.query({ query: q.query, query_params: q.query_params, format: 'JSONEachRow' });
    const rows = await rs.json<Record<string, unknown>>();
    return rows.map((r) => rule.toFinding(r, ctx));
  }

  /** Loads a fixture and returns the rows of the rule's query as sent (parameterized) and as printed with its parameters written in. */
  async rowsBothWays(rule: AnyRuleDefinition, fixture: RuleFixture): Promise<{ parameterized: unknown[]; inlined: unknown[] }> {
    await this.load(fixture, lookbackDaysOf(rule, rule.params.parse(fixture.params ?? {})));
    const ctx = ruleContext(rule, fixture.window, fixture.params, fixture.hours);
    const q = rule.query(ctx);
    const prepare = rule.prepare?.(ctx) ?? [];
    const rows = async (query: string, query_params?: Record<string, unknown>) =>
      (await this.store.client.query({ query, query_params, format: 'JSONEachRow' })).json();
    for (const p of prepare) await this.store.client.command({ query: p.query, query_params: p.query_params });
    const parameterized = await rows(q.query, q.query_params);
    for (const p of prepare) await this.store.client.command({ query: inlineParams(p.query, p.query_params) });
    return { parameterized, inlined: await rows(inlineParams(q.query, q.query_params)) };
  }

  /** Loads a fixture and runs the rule over its window (or day by day). */
  async runFixture(rule: AnyRuleDefinition, fixture: RuleFixture, dayByDay = false): Promise<FindingDraft[]> {
    await this.load(fixture, lookbackDaysOf(rule, rule.params.parse(fixture.params ?? {})));
    if (!dayByDay) return this.run(rule, ruleContext(rule, fixture.window, fixture.params, fixture.hours));
    const out = new Map<string, FindingDraft>();
    for (let d = fixture.window.fromDay; d <= fixture.window.toDay; d = addDays(d, 1)) {
      for (const f of await this.run(rule, ruleContext(rule, { fromDay: d, toDay: d }, fixture.params, fixture.hours))) {
        out.set(`${f.subject}|${f.day}`, f);
      }
    }
    return [...out.values()];
  }
}
