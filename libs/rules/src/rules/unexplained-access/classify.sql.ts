import { addDays } from '@kansa/calendar';
import { RuleContext, RuleQuery } from '../../core/define-rule';
import { inWindow, masterParams, OPEN_END, STAFF, T, windowParams } from '../../core/sql';
import { ATENA_SOURCE, CHUKAN_SOURCE, CLASSIFIED_ACCESSES, RECORDS_SOURCE, REMOVED_MOVEMENTS } from './explanation-kinds';

/** What the classification takes from the rule's parameters. */
export interface ClassifyParams {
  recordDaysBefore: number;
  recordDaysAfter: number;
  batchAccounts: string[];
}

/** The sources whose accesses are classified. */
export const ACCESS_SOURCES: readonly string[] = [...new Set(CLASSIFIED_ACCESSES.map(([source]) => source))].sort();

/**
 * The classified accesses as SQL: a cheap filter on the action, then the
 * (source, action) pair, as `source:action` text. Needs the parameters of
 * accessParams().
 */
export function isClassifiedAccess(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return (
    `${p}source IN {accessSources:Array(String)} AND ${p}action IN {accessActions:Array(String)} ` +
    `AND has({accessKinds:Array(String)}, concat(toString(${p}source), ':', toString(${p}action)))`
  );
}

export function accessParams(): Record<string, unknown> {
  return {
    accessSources: ACCESS_SOURCES,
    accessActions: [...new Set(CLASSIFIED_ACCESSES.map(([, action]) => action))].sort(),
    accessKinds: CLASSIFIED_ACCESSES.map(([source, action]) => `${source}:${action}`),
  };
}

/**
 * The classification of every access of a window, set-wise in ClickHouse
 * (docs/explanations.md): the window's rows of access_explanations are
 * deleted, then written again, one row per (source, day, user, number as
 * recorded).
 *
 * - Numbers are resolved through residents.csv to one key per resident
 *   (宛名番号; a number residents.csv does not know stands for itself), with
 *   its household, 住所コード and 除票.
 * - Explained: a business record of the resident (either of its numbers) in
 *   a department the accesses were made under, from `recordDaysBefore` days
 *   before to `recordDaysAfter` after (whole JST days; the nearest is kept);
 *   an assignment valid that day of the resident or the household to the
 *   user, or (no 職員ID) to the department; for 統合宛名 照会, a 中間サーバー
 *   情報照会 of the same number by the same user that day; a batch account.
 * - Flagged: own record or household (staff.csv, else residents.csv), on
 *   the watchlist that day, the user's own 住所コード (not of the household),
 *   a 除票 (転出・死亡) before the day.
 * - class: explained when anything explains it, else flagged when anything
 *   flags it, else unexplained; both lists are kept.
 *
 * The accesses are aggregated in the events' own order (source, day, user),
 * so memory stays bounded by one user's day whatever the window.
 */
export function classifyAccesses(ctx: RuleContext<ClassifyParams>, ruleVersion: number): RuleQuery[] {
  const p = ctx.params;
  const recordsFromDay = addDays(ctx.fromDay, -p.recordDaysBefore);
  const recordsToDay = addDays(ctx.toDay, p.recordDaysAfter);
  const query_params = {
    ...windowParams(ctx),
    ...masterParams(ctx),
    ...accessParams(),
    recordsSource: RECORDS_SOURCE,
    atenaSource: ATENA_SOURCE,
    chukanSource: CHUKAN_SOURCE,
    recordsFromDay,
    recordsToDay,
    recordsFrom: `${recordsFromDay} 00:00:00.000`,
    recordsTo: `${addDays(recordsToDay, 1)} 00:00:00.000`,
    before: p.recordDaysBefore,
    after: p.recordDaysAfter,
    batchAccounts: p.batchAccounts,
    removedMovements: REMOVED_MOVEMENTS,
    ruleVersion,
  };
  const inRecordsWindow = () =>
    `source = {recordsSource:String} AND action = 'record' ` +
    `AND ts >= {recordsFrom:DateTime64(3, 'Asia/Tokyo')} AND ts < {recordsTo:DateTime64(3, 'Asia/Tokyo')} ` +
    `AND day >= {recordsFromDay:Date} AND day <= {recordsToDay:Date}`;
  /** The accesses the window classifies: a resident's number in an access of a classified kind. */
  const accessesOfWindow = `${inWindow()} AND ${isClassifiedAccess()} AND subject_id != ''`;
  const remove = `DELETE FROM ${T.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}`;
  const insert = `
INSERT INTO ${T.accessExplanations}
  (source, day, user_id, subject_id, resident_key, department, accesses, first_at, last_at, class, explanations, flags,
   record_ref, record_kind, record_day, assignment_kind, rule_version)
WITH
res AS (
  SELECT resident_id, integrated_id, household_id, address_code, movement, moved_on
  FROM ${T.residents} WHERE version = {v_residents:UInt32}
),
-- every number of a resident (宛名番号, 統合宛名番号) → the resident and what flags it
nums AS (
  SELECT resident_id AS number, resident_id AS rkey, household_id, address_code, movement, moved_on FROM res
  UNION ALL
  SELECT integrated_id, resident_id, household_id, address_code, movement, moved_on FROM res WHERE integrated_id != ''
),
-- the staff member: department, own number, household and address
st AS (
  SELECT s.staff_id AS staff_id, s.department_code AS dept, s.resident_id AS own,
    if(s.household_id != '', s.household_id, r.household_id) AS own_household, r.address_code AS own_address
  FROM ${STAFF} s
  ANY LEFT JOIN (SELECT * FROM nums WHERE number IN (SELECT resident_id FROM ${STAFF} WHERE resident_id != '')) r ON r.number = s.resident_id
),
acc AS (
  SELECT source, day, user_id, subject_id, groupUniqArray(toString(department_code)) AS logged,
    toUInt32(count()) AS n, min(ts) AS first_at, max(ts) AS last_at
  FROM ${T.events}
  WHERE ${accessesOfWindow}
  GROUP BY source, day, user_id, subject_id
),
-- business records of the window widened by the days before and after. A record stored twice under one identity
-- (re-sent with another date) counts as its latest version: the older versions are set apart first (a few rows, so
-- that the records are read once more instead of being grouped by their text). The identities are grouped by their
-- hash first, a number the engine groups five times faster than text; only those whose hash repeats are then grouped
-- by the identity itself.
stale AS (
  SELECT source_event_id AS ref, arrayJoin(arrayPopBack(arraySort(groupArray((ingested_at, line_no))))) AS version
  FROM ${T.events}
  WHERE ${inRecordsWindow()} AND cityHash64(source_event_id) IN (
    SELECT h FROM (SELECT cityHash64(source_event_id) AS h FROM ${T.events} WHERE ${inRecordsWindow()} GROUP BY h HAVING count() > 1))
  GROUP BY source_event_id HAVING count() > 1
),
-- the records by resident (either of its numbers, once) with department, day, 受付番号 and 種別
recd AS (
  SELECT arrayJoin(arrayDistinct(arrayFilter(k -> k != '', [if(r1.rkey != '', r1.rkey, x.n1), if(r2.rkey != '', r2.rkey, x.n2)]))) AS rkey,
    x.dept AS dept, x.rday AS rday, x.ref AS ref, x.kind AS kind
  FROM (
    SELECT source_event_id AS ref, toString(department_code) AS dept, day AS rday, reason AS kind, subject_id AS n1, object AS n2
    FROM ${T.events}
    WHERE ${inRecordsWindow()} AND department_code != ''
      AND (source_event_id, ingested_at, line_no) NOT IN (SELECT ref, version.1, version.2 FROM stale)
  ) x
  ANY LEFT JOIN nums r1 ON r1.number = x.n1
  ANY LEFT JOIN nums r2 ON r2.number = x.n2
),
recs AS (SELECT rkey, groupArray((dept, rday, ref, kind)) AS list FROM recd GROUP BY rkey),
-- 中間サーバー 情報照会 of the window: what a 統合宛名 照会 of the same number that day prepared
chk AS (
  SELECT DISTINCT day, toString(user_id) AS user_id, subject_id FROM ${T.events}
  WHERE ${inWindow()} AND source = {chukanSource:String} AND action = 'inquiry' AND subject_id != ''
),
asg AS (
  SELECT kind, department_code, staff_id, household_id, resident_id, start_date, ifNull(end_date, ${OPEN_END}) AS end_date
  FROM ${T.assignments}
  WHERE version = {v_assignments:UInt32} AND start_date <= {toDay:Date} AND (end_date IS NULL OR end_date >= {fromDay:Date})
),
asg_res AS (SELECT resident_id AS k, groupArray((department_code, staff_id, start_date, end_date, kind)) AS list FROM asg WHERE resident_id != '' GROUP BY resident_id),
asg_hh AS (SELECT household_id AS k, groupArray((department_code, staff_id, start_date, end_date, kind)) AS list FROM asg WHERE household_id != '' GROUP BY household_id),
-- watchlist entries valid in the window, by resident (their numbers looked up among theirs only)
wl_src AS (
  SELECT resident_id, integrated_id, start_date, ifNull(end_date, ${OPEN_END}) AS end_date FROM ${T.watchlist}
  WHERE version = {v_watchlist:UInt32} AND start_date <= {toDay:Date} AND (end_date IS NULL OR end_date >= {fromDay:Date})
),
wl_nums AS (SELECT * FROM nums WHERE number IN (SELECT arrayJoin([resident_id, integrated_id]) FROM wl_src)),
wl AS (
  SELECT rkey, groupArray((start_date, end_date)) AS spans FROM (
    SELECT arrayJoin(arrayDistinct(arrayFilter(k -> k != '',
        [if(r1.rkey != '', r1.rkey, w.resident_id), if(r2.rkey != '', r2.rkey, w.integrated_id)]))) AS rkey,
      w.start_date AS start_date, w.end_date AS end_date
    FROM wl_src w
    ANY LEFT JOIN wl_nums r1 ON r1.number = w.resident_id
    ANY LEFT JOIN wl_nums r2 ON r2.number = w.integrated_id
  )
  GROUP BY rkey
),
a AS (
  SELECT acc.source AS source, acc.day AS day, acc.user_id AS user_id, acc.subject_id AS subject_id,
    acc.n AS n, acc.first_at AS first_at, acc.last_at AS last_at,
    if(r.rkey != '', r.rkey, acc.subject_id) AS rkey, r.household_id AS household, r.address_code AS address,
    r.movement AS movement, r.moved_on AS moved_on,
    arrayDistinct(arrayFilter(d -> d != '', arrayMap(d -> if(d != '', d, st.dept), acc.logged))) AS depts,
    st.own AS own, st.own_household AS own_household, st.own_address AS own_address
  FROM acc
  ANY LEFT JOIN nums r ON r.number = acc.subject_id
  ANY LEFT JOIN st ON st.staff_id = acc.user_id
),
b AS (
  SELECT a.source AS source, a.day AS day, a.user_id AS user_id, a.subject_id AS subject_id, a.rkey AS rkey, a.depts AS depts,
    a.n AS n, a.first_at AS first_at, a.last_at AS last_at,
    -- the nearest first; of two as near, the earlier, then the lower 受付番号 (the same record whatever the engine's order)
    arraySort(x -> (abs(toInt32(x.2) - toInt32(a.day)), x.2, x.3),
      arrayFilter(x -> has(a.depts, x.1) AND x.2 >= a.day - {before:UInt16} AND x.2 <= a.day + {after:UInt16}, rc.list)) AS records,
    arrayFilter(x -> (x.2 = toString(a.user_id) OR (x.2 = '' AND has(a.depts, x.1))) AND a.day >= x.3 AND a.day <= x.4,
      arrayConcat(ar.list, ah.list)) AS assigned,
    a.source = {atenaSource:String} AND (a.day, toString(a.user_id), a.subject_id) IN (SELECT day, user_id, subject_id FROM chk) AS prepared,
    has({batchAccounts:Array(String)}, toString(a.user_id)) AS batch,
    (a.own != '' AND a.rkey = a.own) OR (a.own_household != '' AND a.household = a.own_household) AS self,
    arrayExists(s -> a.day >= s.1 AND a.day <= s.2, w.spans) AS watched,
    a.address != '' AND a.address = a.own_address AND NOT self AS same_address,
    has({removedMovements:Array(String)}, a.movement) AND a.moved_on < a.day AS removed
  FROM a
  ANY LEFT JOIN recs rc ON rc.rkey = a.rkey
  ANY LEFT JOIN asg_res ar ON ar.k = a.rkey
  ANY LEFT JOIN asg_hh ah ON ah.k = a.household
  ANY LEFT JOIN wl w ON w.rkey = a.rkey
)
SELECT source, day, user_id, subject_id, rkey, if(empty(depts), '', depts[1]), n, first_at, last_at,
  if(notEmpty(kinds), 'explained', if(notEmpty(flagged), 'flagged', 'unexplained')),
  arrayFilter(k -> k != '', [if(notEmpty(records), 'record', ''), if(notEmpty(assigned), 'assignment', ''),
    if(prepared, 'chukan', ''), if(batch, 'batch', '')]) AS kinds,
  arrayFilter(k -> k != '', [if(self, 'self', ''), if(watched, 'watchlist', ''), if(same_address, 'same-address', ''),
    if(removed, 'removed', '')]) AS flagged,
  if(empty(records), '', records[1].3), if(empty(records), '', records[1].4), if(empty(records), NULL, records[1].2),
  if(empty(assigned), '', assigned[1].5), {ruleVersion:UInt32}
FROM b
SETTINGS optimize_aggregation_in_order = 1`;
  return [
    {
      query: remove,
      query_params,
      // A day classified for the first time (the preparation ahead, day by day) has nothing to delete.
      skipWhenNone: `SELECT 1 FROM ${T.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}`,
    },
    {
      query: insert,
      query_params,
      // A day without accesses (a closed Saturday) writes nothing; the statement would still resolve and list 32 days
      // of business records (most of its time: 10-14 s of a 100-million-event month's Saturday).
      skipWhenNone: `SELECT 1 FROM ${T.events} WHERE ${accessesOfWindow}`,
    },
  ];
}
