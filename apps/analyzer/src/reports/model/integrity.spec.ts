import { RecordedCheck, verification } from './integrity';
import type { ChainHead } from './report.model';

const head = (source: string, seq: number, hash: string): ChainHead => ({
  source,
  sourceTitle: source,
  writer: '',
  seq,
  chainHash: hash,
  lastImport: '2025-04-30 23:51',
  monthBatches: seq,
  monthSeqFrom: 1,
  monthSeqTo: seq,
});
const check = (over: Partial<RecordedCheck> = {}): RecordedCheck => ({
  checkedAt: '2025-05-07 18:00',
  ok: true,
  batchesChecked: 30,
  expired: 0,
  contentFrom: '',
  contentTo: '',
  chains: [
    { source: 'jumin', writer: '', batches: 20, head: 'h20' },
    { source: 'atena', writer: '', batches: 10, head: 'a10' },
  ],
  problem: '',
  ...over,
});

describe('the evidence verdict', () => {
  it('整合 with when it was checked, when the check saw every head the report shows', () => {
    const v = verification(check(), [head('jumin', 20, 'h20'), head('atena', 10, 'a10')]);
    expect(v).toMatchObject({ state: 'ok', verdict: '検証結果：整合（2025-05-07 18:00 確認）', checkedAt: '2025-05-07 18:00' });
    expect(v.details[0]).toContain('取込記録 30 バッチのチェーンを検証し、すべてのバッチ（30 バッチ）の保存内容を再計算');
  });

  it('names the batches imported after the check as not verified', () => {
    const v = verification(check(), [head('jumin', 23, 'h23'), head('atena', 10, 'a10')]);
    expect(v).toMatchObject({ state: 'stale', verdict: '検証結果：整合（2025-05-07 18:00 確認。その後の取込 3 バッチは未検証）' });
  });

  it('says 不整合 with the first problem, and 未検証 when never checked', () => {
    expect(verification(check({ ok: false, problem: 'jumin 連番5: 内容ダイジェスト不一致' }), [])).toMatchObject({
      state: 'broken',
      verdict: '検証結果：不整合（2025-05-07 18:00 確認）',
      details: [expect.stringContaining('jumin 連番5: 内容ダイジェスト不一致'), expect.any(String)],
    });
    expect(verification(null, []).verdict).toBe('検証結果：未検証（kansa verify の実行記録がありません）');
  });

  it('states how far the nightly turns over the older batches have come', () => {
    const heads = [head('jumin', 20, 'h20'), head('atena', 10, 'a10')];
    const partial = verification(
      check({ contentFrom: '2025-05-01', older: { part: 2, parts: 30, partsChecked: 3, cycleSince: '' } }),
      heads,
    );
    expect(partial.details[0]).toContain(
      '取込記録 30 バッチのうち、2025-05-01〜最後に取り込んだバッチと、それ以前のバッチの 1 区分について、チェーンを検証し、保存内容（30 バッチ）を再計算',
    );
    expect(partial.details[1]).toContain('30 区分に分け');
    expect(partial.details[1]).toContain('毎夜 1 区分ずつ検証しています（この検証は第 3 区分）');
    expect(partial.details[1]).toContain('まだ一巡していません（異常なく検証した区分：3 / 30）');
    const whole = verification(
      check({ contentFrom: '2025-05-01', older: { part: 29, parts: 30, partsChecked: 30, cycleSince: '2025-04-08 01:30' } }),
      heads,
    );
    expect(whole.details[1]).toContain('2025-04-08 01:30 以降の検証で、全 30 区分の検証が異常なく一巡しています');
    expect(whole.state).toBe('ok');
  });
});
