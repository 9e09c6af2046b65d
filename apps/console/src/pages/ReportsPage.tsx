import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, download, unwrap } from '../api/client';
import type { ReportStatus } from '../api/types';
import { ErrorBox, Field, Loading, PageTitle } from '../components/ui';
import { bytes, month as monthText, time, todayJst } from '../format';
import { useSession } from '../session';

const FORMAT_TITLES: Record<string, string> = { pdf: 'PDF (決裁用)', html: 'HTML', xlsx: 'Excel', csv: 'CSV (検知一覧)' };
/** Who asked for a report (ReportFailure.trigger). */
const TRIGGER_TITLES: Record<string, string> = {
  auto: '自動作成',
  console: '画面からの作成',
  manual: 'コマンド (kansa report) による作成',
  finalize: '確定に伴う作成',
};

/** 報告書: the monthly reports made, their SHA-256 digests, downloads, and making one. */
export function ReportsPage() {
  const { can } = useSession();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ['reports'], queryFn: () => unwrap(api.GET('/api/reports')) });
  const status = useQuery({ queryKey: ['reports', 'status'], queryFn: () => unwrap(api.GET('/api/reports/status')) });
  const [month, setMonth] = useState(previousMonth());
  const make = useMutation({
    mutationFn: () => unwrap(api.POST('/api/reports', { body: { month } })),
    // A failure is recorded too: the notice of last month shows it.
    onSettled: () => void queries.invalidateQueries({ queryKey: ['reports'] }),
  });
  const get = useMutation({
    mutationFn: (r: { month: string; format: string }) =>
      download(`/api/reports/${r.month}/${r.format}`, `kansa-report-${r.month}.${r.format}`),
  });
  const months = [...new Set((list.data ?? []).map((r) => r.month))].sort().reverse();
  return (
    <>
      <PageTitle sub="月次の「ログ分析結果報告書」。ファイルの SHA-256 で、決裁後に改変されていないことを確かめられます。">
        報告書
      </PageTitle>
      {status.data && <LastMonth status={status.data} />}
      {can('reports.make') && (
        <form
          className="card toolbar"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            make.mutate();
          }}
          aria-label="報告書の作成"
        >
          <Field label="対象月">
            {(id) => <input id={id} type="month" value={month} onChange={(e) => setMonth(e.target.value)} required />}
          </Field>
          <button type="submit" className="primary" disabled={make.isPending}>
            {make.isPending ? '作成しています…' : '作成する'}
          </button>
          <ErrorBox error={make.error} />
          {make.isSuccess && <span role="status">{monthText(month)} の報告書を作成しました。</span>}
        </form>
      )}
      <ErrorBox error={list.error ?? get.error} />
      {list.isLoading && <Loading what="報告書" />}
      {months.map((m) => (
        <section className="card" key={m} aria-labelledby={`r-${m}`}>
          <h2 id={`r-${m}`}>{monthText(m)}</h2>
          <table className="data">
            <caption className="sr-only">{m} の報告書</caption>
            <thead>
              <tr>
                <th scope="col">形式</th>
                <th scope="col">作成日時</th>
                <th scope="col">大きさ</th>
                <th scope="col">SHA-256</th>
                <th scope="col">完全性</th>
                <th scope="col">
                  <span className="sr-only">ダウンロード</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(list.data ?? [])
                .filter((r) => r.month === m)
                .map((r) => (
                  <tr key={r.format}>
                    <td>{FORMAT_TITLES[r.format] ?? r.format}</td>
                    <td>{time(r.madeAt)}</td>
                    <td className="num">{bytes(r.bytes)}</td>
                    <td>
                      <code className="digest">{r.sha256}</code>
                    </td>
                    <td>{r.complete ? '完全' : '不完全 (ログ欠落または未分析の日あり)'}</td>
                    <td>
                      <button type="button" className="link" onClick={() => get.mutate(r)}>
                        ダウンロード
                      </button>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      ))}
      {list.data && months.length === 0 && <p className="muted">まだ報告書はありません。</p>}
    </>
  );
}

/** Last month's report when it is missing: overdue (the automatic run's deadline passed) or not yet due, and why the latest attempt failed. */
function LastMonth({ status }: { status: ReportStatus }) {
  if (status.made) return null;
  const failure = status.lastFailure;
  const how = status.automatic
    ? `自動作成は、分析が完了した日か、毎月 ${status.deadlineDay} 日に行います。`
    : '自動作成は設定で止められています（report.autoMonthly）。';
  return (
    <div className={status.overdue ? 'error' : 'notice'} role={status.overdue ? 'alert' : 'status'}>
      <strong>
        {monthText(status.month)}の報告書は
        {status.overdue ? `まだ作成されていません（期限の ${status.deadlineDay} 日を過ぎています）。` : 'まだありません。'}
      </strong>{' '}
      {how}
      {failure && (
        <>
          <br />
          {time(failure.at)} の{TRIGGER_TITLES[failure.trigger] ?? failure.trigger}は
          {failure.format ? `${FORMAT_TITLES[failure.format] ?? failure.format} の作成中に` : ''}失敗しました：{failure.message}
        </>
      )}
    </div>
  );
}

function previousMonth(): string {
  const [y, m] = todayJst().split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
