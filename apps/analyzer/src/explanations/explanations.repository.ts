import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { AccessClass, ExplanationKind, FlagKind } from '@kansa/rules';
import { CLICKHOUSE, eventDays, TABLES } from '@kansa/storage';

/** What the classification says of an access: its class, why it is fine, what makes its target sensitive. */
export interface Explanation<C extends AccessClass | ''> {
  class: C;
  explanations: ExplanationKind[];
  flags: FlagKind[];
  /** The business record that explains it (所属コード:受付番号), its 種別 and day; '' / null when none. */
  recordRef: string;
  recordKind: string;
  recordDay: string | null;
  assignmentKind: string;
}

/** One classified access (per source, day, user and number as recorded), as stored by unexplained-access. */
export interface ExplainedAccess extends Explanation<AccessClass> {
  source: string;
  day: string;
  userId: string;
  subjectId: string;
  /** The resident: 宛名番号 when residents.csv links the number, else the number itself. */
  residentKey: string;
  department: string;
  accesses: number;
  firstAt: string;
  lastAt: string;
}

/** One event of a finding's evidence with the classification of its access ('' when it is no classified access). */
export interface EvidenceExplanation extends Explanation<AccessClass | ''> {
  eventId: string;
  ts: string;
  source: string;
  action: string;
}

/** Accesses of one department on one system in a period, by class. */
export interface ShareRow {
  department: string;
  source: string;
  accesses: number;
  explained: number;
  flagged: number;
  unexplained: number;
}

/** A staff member's unexplained accesses to flagged residents in a period (numbers only: no resident). */
export interface FlaggedByStaff {
  userId: string;
  department: string;
  accesses: number;
  residents: number;
  days: number;
  flags: FlagKind[];
}

/** A (day, user, numbers) key of planted look-ups, for the demo and the benchmark. */
export interface AccessKey {
  day: string;
  userId: string;
  subjects: readonly string[];
}

export interface AccessFilterOptions {
  fromDay: string;
  toDay: string;
  userId?: string;
  /** The resident's numbers (宛名番号 and 統合宛名番号). */
  subjectIds?: readonly string[];
  classes?: readonly AccessClass[];
  limit: number;
}

const SELECT_ACCESS = `toString(source) AS source, toString(day) AS day, toString(user_id) AS userId, subject_id AS subjectId,
  resident_key AS residentKey, toString(department) AS department, accesses, toString(first_at) AS firstAt, toString(last_at) AS lastAt,
  toString(class) AS class, explanations, flags, record_ref AS recordRef, toString(record_kind) AS recordKind,
  if(record_day IS NULL, NULL, toString(record_day)) AS recordDay, toString(assignment_kind) AS assignmentKind`;

/**
 * Reads access_explanations: what the unexplained-access rule stored for the
 * days it analysed. (Aliases never repeat a column's name: ClickHouse would
 * read the alias where the column is meant.)
 */
@Injectable()
export class ExplanationsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Classified accesses of a period (a user's, a resident's, or all), oldest first, with the total. */
  async accesses(o: AccessFilterOptions): Promise<{ total: number; rows: ExplainedAccess[] }> {
    const where = [
      'day >= {fromDay:Date} AND day <= {toDay:Date}',
      o.userId ? 'user_id = {userId:String}' : '',
      o.subjectIds?.length ? '(subject_id IN {subjects:Array(String)} OR resident_key IN {subjects:Array(String)})' : '',
      o.classes?.length ? 'class IN {classes:Array(String)}' : '',
    ]
      .filter(Boolean)
      .join(' AND ');
    const params = { fromDay: o.fromDay, toDay: o.toDay, userId: o.userId ?? '', subjects: o.subjectIds ?? [], classes: o.classes ?? [] };
    const [count] = await this.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.accessExplanations} WHERE ${where}`, params);
    const rows = await this.rows<ExplainedAccess>(
      `SELECT ${SELECT_ACCESS} FROM (
         SELECT * FROM ${TABLES.accessExplanations} WHERE ${where} ORDER BY first_at, source, user_id, subject_id LIMIT {limit:UInt32})`,
      { ...params, limit: o.limit },
    );
    return { total: Number(count?.n ?? 0), rows: rows.map(numbers) };
  }

  /**
   * The events of a finding's evidence with the classification of each
   * (joined on source, day, user and number). The days bound the search and
   * name their months' partitions (evidenceDays: the finding's window with
   * its rule's reach).
   */
  async evidence(eventIds: readonly string[], fromDay: string, toDay: string): Promise<EvidenceExplanation[]> {
    if (eventIds.length === 0) return [];
    return this.rows<EvidenceExplanation>(
      `SELECT e.event_id AS eventId, toString(e.ts) AS ts, toString(e.source) AS source, toString(e.action) AS action,
              if(x.accesses = 0, '', toString(x.class)) AS class, x.explanations AS explanations, x.flags AS flags,
              x.record_ref AS recordRef, toString(x.record_kind) AS recordKind,
              if(x.record_day IS NULL, NULL, toString(x.record_day)) AS recordDay, toString(x.assignment_kind) AS assignmentKind
       FROM (SELECT event_id, ts, source, action, day, user_id, subject_id FROM ${TABLES.events}
             WHERE ${eventDays('{fromDay:Date}', '{toDay:Date}')} AND event_id IN {ids:Array(String)}) e
       LEFT JOIN (SELECT * FROM ${TABLES.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}) x
         ON x.source = e.source AND x.day = e.day AND x.user_id = e.user_id AND x.subject_id = e.subject_id
       ORDER BY e.ts, e.event_id`,
      { ids: eventIds, fromDay, toDay },
    );
  }

  /** Whether any access of the day has been classified (the rule analysed it). */
  async classifiedDays(fromDay: string, toDay: string): Promise<Set<string>> {
    const rows = await this.rows<{ d: string }>(
      `SELECT DISTINCT toString(day) AS d FROM ${TABLES.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}`,
      { fromDay, toDay },
    );
    return new Set(rows.map((r) => r.d));
  }

  /** Accesses per department and system of a period, by class (the monthly report's explained share). */
  async shares(fromDay: string, toDay: string): Promise<ShareRow[]> {
    const rows = await this.rows<{ department: string; source: string; n: string; e: string; f: string; u: string }>(
      `SELECT toString(department) AS department, toString(source) AS source, sum(accesses) AS n,
              sumIf(accesses, class = 'explained') AS e, sumIf(accesses, class = 'flagged') AS f,
              sumIf(accesses, class = 'unexplained') AS u
       FROM ${TABLES.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}
       GROUP BY department, source ORDER BY department, source`,
      { fromDay, toDay },
    );
    return rows.map((r) => ({
      department: r.department,
      source: r.source,
      accesses: Number(r.n),
      explained: Number(r.e),
      flagged: Number(r.f),
      unexplained: Number(r.u),
    }));
  }

  /** Per staff member, the unexplained accesses to flagged residents of a period (counts only). */
  async flaggedByStaff(fromDay: string, toDay: string): Promise<FlaggedByStaff[]> {
    const rows = await this.rows<{ userId: string; dept: string; n: string; residents: string; days: string; kinds: FlagKind[] }>(
      `SELECT toString(user_id) AS userId, toString(any(department)) AS dept, sum(accesses) AS n,
              uniqExact(resident_key) AS residents, uniqExact(day) AS days, arraySort(groupUniqArrayArray(flags)) AS kinds
       FROM ${TABLES.accessExplanations}
       WHERE day >= {fromDay:Date} AND day <= {toDay:Date} AND class = 'flagged'
       GROUP BY user_id ORDER BY n DESC, userId`,
      { fromDay, toDay },
    );
    return rows.map((r) => ({
      userId: r.userId,
      department: r.dept,
      accesses: Number(r.n),
      residents: Number(r.residents),
      days: Number(r.days),
      flags: r.kinds,
    }));
  }

  /**
   * Distinct residents per user and day without an explanation: the most
   * of any day, and the share of user-days at each count (to set the rule's
   * threshold from a site's own month).
   */
  async unexplainedPerUserDay(fromDay: string, toDay: string): Promise<Array<{ residents: number; userDays: number }>> {
    const rows = await this.rows<{ residents: string; userDays: string }>(
      `SELECT residents, count() AS userDays FROM (
         SELECT day, user_id, uniqExactIf(resident_key, class != 'explained') AS residents
         FROM ${TABLES.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}
         GROUP BY day, user_id)
       GROUP BY residents ORDER BY residents`,
      { fromDay, toDay },
    );
    return rows.map((r) => ({ residents: Number(r.residents), userDays: Number(r.userDays) }));
  }

  /**
   * Accesses of a period by class, with and without the given (day, user,
   * numbers) keys — the demo's and the benchmark's planted look-ups — and
   * the class of each key's accesses.
   */
  async sharesExcept(
    fromDay: string,
    toDay: string,
    keys: readonly AccessKey[],
  ): Promise<{ ordinary: Record<AccessClass, number>; keyed: Record<AccessClass | 'missing', number> }> {
    const flat = keys.flatMap((k) => k.subjects.map((s) => `${k.day}|${k.userId}|${s}`));
    const rows = await this.rows<{ keyed: number; class: AccessClass; accesses: string }>(
      `SELECT has({keys:Array(String)}, concat(toString(day), '|', toString(user_id), '|', subject_id)) AS keyed,
              toString(class) AS class, sum(accesses) AS accesses
       FROM ${TABLES.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}
       GROUP BY keyed, class`,
      { fromDay, toDay, keys: flat },
    );
    const ordinary = { explained: 0, flagged: 0, unexplained: 0 };
    const keyed = { explained: 0, flagged: 0, unexplained: 0, missing: 0 };
    for (const r of rows) (Number(r.keyed) ? keyed : ordinary)[r.class] += Number(r.accesses);
    // keys whose accesses are not classified at all (the day not analysed): counted as missing
    const found = await this.rows<{ k: string }>(
      `SELECT DISTINCT concat(toString(day), '|', toString(user_id), '|', subject_id) AS k FROM ${TABLES.accessExplanations}
       WHERE day >= {fromDay:Date} AND day <= {toDay:Date} AND has({keys:Array(String)}, concat(toString(day), '|', toString(user_id), '|', subject_id))`,
      { fromDay, toDay, keys: flat },
    );
    keyed.missing = flat.length - found.length;
    return { ordinary, keyed };
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}

function numbers(r: ExplainedAccess): ExplainedAccess {
  return { ...r, accesses: Number(r.accesses) };
}
