import { z } from 'zod';
import { defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, num, span, userDayDraft } from '../../core/finding';
import { asUserDayRows, evidence, inWindow, T, windowParams } from '../../core/sql';
import { ACCESS_SOURCES, accessParams, classifyAccesses, isClassifiedAccess } from './classify.sql';
import { FLAG_KINDS, FlagKind } from './explanation-kinds';

/** Bumped whenever the classification or the query changes (stored with every classified access). */
const VERSION = 2;

const params = z
  .object({
    /**
     * Distinct residents a user touched in a day without an explanation.
     * 8: in the demo city (300 staff, ordinary work ≈ 5 % without a business
     * record) no ordinary day of anyone reached 5 (docs/explanations.md);
     * set it from the site's own measurement (`kansa explanations --month`).
     */
    threshold: z.number().int().min(1).default(8),
    /** A business record explains accesses from this many days after it … */
    recordDaysBefore: z.number().int().min(0).max(366).default(30),
    /** … to this many days before it (a record entered the next morning). */
    recordDaysAfter: z.number().int().min(0).max(31).default(1),
    /** Accounts that run batch jobs: their accesses are explained as batch processing. */
    batchAccounts: z.array(z.string().min(1)).default([]),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  residents: string | number;
  flagged_residents: string | number;
  flags: string[];
}

export default defineRule<Params, Row>({
  id: 'unexplained-access',
  title: '理由のない照会',
  version: VERSION,
  revision: 2,
  severity: 'high',
  guideline: '特定個人情報への不正なアクセスの検知（業務記録で説明できない照会）',
  description:
    '住民記録の照会・更新・証明書発行、統合宛名の照会、中間サーバーの情報照会のうち、業務記録（前 30 日〜翌日）・担当割当・' +
    '同じ日の中間サーバー照会・バッチ処理のいずれでも説明できないものを、1人の職員が1日に基準（既定 8 人）以上の住民に行ったもの、' +
    'または本人・同一世帯、要保護対象者、同一住所、除票の住民に説明なく行ったものです。照会の理由を本人と所属に確認してください。',
  explain: {
    sentence: (p) =>
      `業務記録（前${p.recordDaysBefore}日〜翌${p.recordDaysAfter}日）・担当割当・中間サーバー照会・${
        p.batchAccounts.length ? `バッチ処理（${p.batchAccounts.length}アカウント）` : 'バッチ処理（アカウントの登録なし）'
      }のどれでも説明できない照会を、` +
      `1人の職員が1日に${fmt(p.threshold)}人以上の住民に行ったもの、または本人・同一世帯・要保護対象者・同一住所・除票の住民に説明なく行ったもの（職員・日ごとに1件）`,
    count: { of: '説明のない照会の住民数', unit: '人' },
  },
  reads: {
    events: [...ACCESS_SOURCES, 'records'].sort(),
    masters: ['staff', 'residents', 'watchlist', 'assignments'],
    lookbackDays: (p) => p.recordDaysBefore,
    lookaheadDays: (p) => p.recordDaysAfter,
    // Only the business records reach around the day: the accesses are those of the analysed days (and a 統合宛名
    // 照会 is explained by a 中間サーバー 照会 of the same day), so an access of the next day leaves a day as it was.
    dayOnly: ACCESS_SOURCES,
  },
  params,
  // The classification of every access of the window is stored first (the console and the report read it);
  // the query sums it up per user and day, and reads the events again only for the users and days it reports.
  prepare: (ctx) => classifyAccesses(ctx, VERSION),
  query: (ctx) => ({
    query: asUserDayRows(`
WITH
judged AS (
  SELECT day, user_id FROM ${T.accessExplanations}
  WHERE day >= {fromDay:Date} AND day <= {toDay:Date} AND class != 'explained'
  GROUP BY day, user_id
  HAVING uniqExact(resident_key) >= {threshold:UInt64} OR countIf(class = 'flagged') > 0
),
open_cases AS (
  SELECT source, day, user_id, subject_id, resident_key, class, flags FROM ${T.accessExplanations}
  WHERE day >= {fromDay:Date} AND day <= {toDay:Date} AND class != 'explained' AND (day, user_id) IN (SELECT day, user_id FROM judged)
)
SELECT e.day AS day, e.user_id AS user_id, uniqExact(c.resident_key) AS residents,
  uniqExactIf(c.resident_key, c.class = 'flagged') AS flagged_residents, groupUniqArrayArray(c.flags) AS flags, ${evidence('e')}
FROM ${T.events} e
INNER JOIN open_cases c ON c.source = e.source AND c.day = e.day AND c.user_id = e.user_id AND c.subject_id = e.subject_id
WHERE ${inWindow('e')} AND ${isClassifiedAccess('e')} AND (e.day, e.user_id) IN (SELECT day, user_id FROM judged)
GROUP BY e.day, e.user_id`),
    query_params: { ...windowParams(ctx), ...accessParams(), threshold: ctx.params.threshold },
  }),
  // The summary goes into alerts: it names no resident and no watchlist category.
  toFinding: (row) => {
    const residents = num(row.residents);
    const flagged = num(row.flagged_residents);
    const flags = [...row.flags].sort() as FlagKind[];
    const flaggedText = flagged ? `、うち要注意の対象 ${fmt(flagged)} 人` : '';
    const draft = userDayDraft(
      row,
      `業務記録等で説明できない照会 住民 ${fmt(residents)} 人${flaggedText}（操作 ${fmt(num(row.evidence_total))} 件、${span(row.first_at, row.last_at)}）`,
      { unexplainedResidents: residents, flaggedResidents: flagged, flags, flagTitles: flags.map((f) => FLAG_KINDS[f] ?? f) },
    );
    return { ...draft, count: residents };
  },
});
