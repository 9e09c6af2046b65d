import { formatCount } from '@kansa/domain';
import { INestApplicationContext } from '@nestjs/common';
import type { PlantedMisuse } from '@kansa/demo';
import { ExplanationMeasure, ExplanationsService } from '@kansa/analyzer/explanations/explanations.service';

/** Goals of issue 15 (docs/explanations.md): ordinary accesses explained, planted look-ups left unexplained or flagged. */
export const EXPLANATION_GOALS = { ordinaryExplainedShareMin: 0.9, plantedUnexplainedOrFlaggedShareMin: 1 };

/** The demo month's explanations: ordinary work against the planted look-ups of the manifest. */
export function demoExplanations(
  app: INestApplicationContext,
  period: { from: string; to: string },
  misuse: readonly PlantedMisuse[],
): Promise<ExplanationMeasure> {
  return app.get(ExplanationsService).measure(period.from, period.to, misuse);
}

export function formatDemoExplanations(m: ExplanationMeasure): string[] {
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const mark = (ok: boolean) => (ok ? '✓' : '目標未達');
  const ordinary = m.ordinary.explained + m.ordinary.flagged + m.ordinary.unexplained;
  const planted = m.planted.explained + m.planted.flagged + m.planted.unexplained + m.planted.missing;
  return [
    '',
    'アクセスの説明（業務記録・担当割当・中間サーバー照会、kansa explanations）:',
    `  通常業務のアクセス ${formatCount(ordinary)} 件のうち説明あり ${pct(m.ordinaryExplainedShare)} ` +
      `${mark((m.ordinaryExplainedShare ?? 0) >= EXPLANATION_GOALS.ordinaryExplainedShareMin)}（目標 90% 以上）`,
    `  仕込んだ不正な照会 ${planted} 件のうち説明なし・要注意 ${pct(m.plantedUnexplainedOrFlaggedShare)} ` +
      `${mark((m.plantedUnexplainedOrFlaggedShare ?? 0) >= EXPLANATION_GOALS.plantedUnexplainedOrFlaggedShareMin)}（目標 100%）`,
  ];
}
