import type { ChainHead, Verification } from './report.model';
import { formatCount as fmt } from '@kansa/domain';

/** The latest `kansa verify` as recorded (integrity_checks). */
export interface RecordedCheck {
  checkedAt: string; // JST 'YYYY-MM-DD HH:MM'
  ok: boolean;
  batchesChecked: number;
  expired: number;
  contentFrom: string;
  contentTo: string;
  /**
   * The older batches recomputed in turns (the nightly watch): this check's
   * part of `parts`, how many parts checks that held have recomputed, and
   * since when all of them have ('' until every part has been).
   */
  older?: { part: number; parts: number; partsChecked: number; cycleSince: string };
  chains: ReadonlyArray<{ source: string; writer: string; batches: number; head: string }>;
  problem: string;
}

/** How to check the evidence again, in plain words (no markup: the same text in every format). */
export const RECHECK_STEPS = [
  'kansa を導入したサーバーで、コマンド kansa verify を実行します。',
  '「整合性検証: 正常」と表示され、各システムの「チェーン先頭」の値が上の表の先頭値と一致すれば、本報告書の作成時点までに取り込んだログは、その後変更も削除もされていません。',
  '本報告書の作成後にログを取り込んだ場合は、連番と先頭値が進んでいます。そのときは kansa verify --json の出力で、上の表の連番までのバッチに異常がないことを確認してください。',
  '報告書のファイル自体は、同じフォルダの「ファイル名.sha256」に記録した SHA-256 と照合できます（例：sha256sum -c kansa-report-YYYY-MM.pdf.sha256）。',
];

/**
 * The evidence section's verdict, from the latest recorded verification and
 * the chains as they are: 整合 only when that verification held and saw every
 * chain head the report shows; batches imported after it are named as not yet
 * verified; never checked, or broken, says so.
 */
export function verification(check: RecordedCheck | null, chains: readonly ChainHead[]): Verification {
  if (!check) {
    return {
      state: 'none',
      verdict: '検証結果：未検証（kansa verify の実行記録がありません）',
      checkedAt: null,
      details: ['下の「再検証の方法」で検証してから、報告書を作成し直してください。'],
    };
  }
  if (!check.ok) {
    return {
      state: 'broken',
      verdict: `検証結果：不整合（${check.checkedAt} 確認）`,
      checkedAt: check.checkedAt,
      details: [`最初の異常：${check.problem}`, 'ログの変更・削除、または取込記録の欠落の可能性があります。直ちに原因を調査してください。'],
    };
  }
  const seen = new Map(check.chains.map((c) => [`${c.source}\0${c.writer}`, c]));
  const after = chains.reduce((n, c) => {
    const s = seen.get(`${c.source}\0${c.writer}`);
    return n + (s && s.head === c.chainHash ? 0 : Math.max(0, c.seq - (s?.batches ?? 0)));
  }, 0);
  const content =
    check.contentFrom || check.contentTo
      ? `${check.contentFrom || '最初'}〜${check.contentTo || '最後'}に取り込んだバッチ${check.older ? 'と、それ以前のバッチの 1 区分' : ''}`
      : 'すべてのバッチ';
  const total = fmt(check.chains.reduce((a, c) => a + c.batches, 0));
  const details = [
    check.older
      ? `${check.checkedAt} に、取込記録 ${total} バッチのうち、${content}について、チェーンを検証し、保存内容（${fmt(check.batchesChecked)} バッチ）を再計算して照合しました。`
      : `${check.checkedAt} に、取込記録 ${total} バッチのチェーンを検証し、${content}（${fmt(check.batchesChecked)} バッチ）の保存内容を再計算して照合しました。`,
  ];
  if (check.older) details.push(olderTurns(check.older));
  if (check.expired > 0)
    details.push(
      `保存期間を過ぎたログを含む ${fmt(check.expired)} バッチは、取込記録とチェーンのみ確認しました（内容は保存期間により削除済み）。`,
    );
  if (after > 0) {
    details.push(`検証の後に取り込まれた ${fmt(after)} バッチは未検証です。kansa verify を実行してから報告書を作成し直してください。`);
    return {
      state: 'stale',
      verdict: `検証結果：整合（${check.checkedAt} 確認。その後の取込 ${fmt(after)} バッチは未検証）`,
      checkedAt: check.checkedAt,
      details,
    };
  }
  return { state: 'ok', verdict: `検証結果：整合（${check.checkedAt} 確認）`, checkedAt: check.checkedAt, details };
}

/** The sentence on the older batches recomputed in turns. */
function olderTurns(o: NonNullable<RecordedCheck['older']>): string {
  const turn = `それ以前に取り込んだバッチは ${fmt(o.parts)} 区分に分け（保存内容は最初のイベント日、チェーンは取込記録の連番による）、毎夜 1 区分ずつ検証しています（この検証は第 ${fmt(o.part + 1)} 区分）。`;
  return o.cycleSince
    ? `${turn}${o.cycleSince} 以降の検証で、全 ${fmt(o.parts)} 区分の検証が異常なく一巡しています。`
    : `${turn}まだ一巡していません（異常なく検証した区分：${fmt(o.partsChecked)} / ${fmt(o.parts)}）。それ以前のバッチを含めて確認するには kansa verify を実行してください。`;
}
