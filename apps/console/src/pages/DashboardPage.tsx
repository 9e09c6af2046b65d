import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { Dashboard } from '../api/types';
import { Chart, ChartOption } from '../components/Chart';
import { ErrorBox, Field, Loading, PageTitle, SeverityBadge } from '../components/ui';
import { count, month as monthText, time, todayJst } from '../format';
import { COVERAGE_TITLES, SEVERITIES, SEVERITY_COLORS, SEVERITY_TITLES, sourceTitle } from '../labels';
import { useSession } from '../session';

const COVERAGE_STATES = ['analysed', 'late', 'missing', 'closed', 'future'] as const;
const COVERAGE_COLORS = ['#3b8a4f', '#d98e04', '#c0392b', '#b9c3cf', '#ececec'];

export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const month = params.get('month') ?? todayJst().slice(0, 7);
  const q = useQuery({
    queryKey: ['dashboard', month],
    queryFn: () => unwrap(api.GET('/api/console/dashboard', { params: { query: { month } } })),
  });
  const d = q.data;
  const charts = useMemo(() => (d ? dashboardCharts(d) : null), [d]);
  return (
    <>
      <PageTitle sub="今月の検知・確認の状況、ログの取り込みと分析の状況 (個人情報は表示しません)">
        ダッシュボード — {monthText(month)}
      </PageTitle>
      <div className="toolbar">
        <Field label="対象月">
          {(id) => <input id={id} type="month" value={month} onChange={(e) => e.target.value && setParams({ month: e.target.value })} />}
        </Field>
      </div>
      <ErrorBox error={q.error} />
      {q.isLoading && <Loading />}
      {d && charts && (
        <>
          <section className="tiles" aria-label="件数">
            <div className="tile">
              <span className="muted">今月の検知</span>
              <strong data-count="findings">{count(d.open + d.decided)}</strong>
            </div>
            <div className="tile warn">
              <span className="muted">未対応 (未確認・確認中・要対応)</span>
              <strong data-count="open">{count(d.open)}</strong>
            </div>
            <div className="tile">
              <span className="muted">判断済み</span>
              <strong data-count="decided">{count(d.decided)}</strong>
            </div>
            {d.bySeverity.map((s) => (
              <div className="tile" key={s.severity}>
                <span className="muted">重要度 {SEVERITY_TITLES[s.severity]}</span>
                <strong>
                  {count(s.total)} <small>(未対応 {count(s.open)})</small>
                </strong>
              </div>
            ))}
          </section>
          <div className="grid2">
            <section className="card">
              <h2>ルール別の検知</h2>
              <Chart
                option={charts.byRule}
                height={Math.max(200, 26 * d.byRule.length + 70)}
                label={`ルール別の検知件数: ${d.byRule.map((r) => `${r.title} ${r.total} 件`).join('、') || 'なし'}`}
              />
              <table className="data compact">
                <caption className="sr-only">ルール別の検知件数</caption>
                <thead>
                  <tr>
                    <th scope="col">ルール</th>
                    <th scope="col">重要度</th>
                    <th scope="col">件数</th>
                    <th scope="col">未対応</th>
                  </tr>
                </thead>
                <tbody>
                  {d.byRule.map((r) => (
                    <tr key={r.rule}>
                      <td>
                        {can('findings.read') ? (
                          <Link to={`/findings?rule=${r.rule}&from=${d.fromDay}&to=${d.toDay}`}>{r.title}</Link>
                        ) : (
                          r.title
                        )}
                      </td>
                      <td>
                        <SeverityBadge severity={r.severity} />
                      </td>
                      <td className="num">{count(r.total)}</td>
                      <td className="num">{count(r.open)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card">
              <h2>12 か月の推移</h2>
              <Chart
                option={charts.trend}
                label={`月別の検知件数: ${d.trend.map((t) => `${t.month} ${t.low + t.medium + t.high + t.critical} 件`).join('、')}`}
              />
            </section>
          </div>
          <section className="card">
            <h2>取り込みと分析 (システム × 日)</h2>
            <p className="muted">
              {COVERAGE_STATES.map((s, i) => (
                <span key={s} className="legend">
                  <span className="swatch" style={{ background: COVERAGE_COLORS[i] }} aria-hidden="true" />
                  {COVERAGE_TITLES[s]}
                </span>
              ))}
            </p>
            <Chart
              option={charts.coverage}
              height={220}
              label={`取り込みと分析の状況: ログなし ${d.coverage.cells.filter((c) => c.state === 'missing').length} 日、未分析 ${d.coverage.cells.filter((c) => c.state === 'late').length} 日`}
            />
          </section>
          <div className="grid2">
            <section className="card">
              <h2>最後の取り込み</h2>
              <table className="data compact">
                <caption className="sr-only">システムごとの最後の取り込み</caption>
                <thead>
                  <tr>
                    <th scope="col">システム</th>
                    <th scope="col">日時</th>
                    <th scope="col">行数</th>
                    <th scope="col">ファイル・送信元</th>
                  </tr>
                </thead>
                <tbody>
                  {d.lastImports.map((i) => (
                    <tr key={i.source}>
                      <td>{sourceTitle(i.source)}</td>
                      <td>{time(i.at)}</td>
                      <td className="num">{count(i.lines)}</td>
                      <td>{i.origin}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card">
              <h2>アラートの送信</h2>
              {d.alerts.byStatus.length === 0 ? (
                <p className="muted">今月のアラート送信はありません。</p>
              ) : (
                <table className="data compact">
                  <caption className="sr-only">アラートの送信結果</caption>
                  <thead>
                    <tr>
                      <th scope="col">経路</th>
                      <th scope="col">結果</th>
                      <th scope="col">件数</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.alerts.byStatus.map((a) => (
                      <tr key={`${a.channel}-${a.status}`}>
                        <td>{a.channel === 'email' ? 'メール' : 'Webhook'}</td>
                        <td>{a.status === 'sent' ? '送信済み' : a.status === 'failed' ? '失敗 (再送予定)' : '断念'}</td>
                        <td className="num">{count(a.n)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
        </>
      )}
    </>
  );
}

function dashboardCharts(d: Dashboard): { byRule: ChartOption; trend: ChartOption; coverage: ChartOption } {
  const byRule: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 150, right: 20, top: 10, bottom: 56 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: d.byRule.map((r) => r.title), inverse: true, axisLabel: { interval: 0 } }, // every rule named
    series: [
      { name: '判断済み', type: 'bar', stack: 'n', color: '#7aa6c2', data: d.byRule.map((r) => r.total - r.open) },
      { name: '未対応', type: 'bar', stack: 'n', color: '#c4461b', data: d.byRule.map((r) => r.open) },
    ],
    legend: { bottom: 0 },
  };
  const trend: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 40, right: 20, top: 10, bottom: 50 },
    xAxis: { type: 'category', data: d.trend.map((t) => t.month) },
    yAxis: { type: 'value', minInterval: 1 },
    series: SEVERITIES.map((s) => ({
      name: SEVERITY_TITLES[s],
      type: 'bar',
      stack: 'sev',
      color: SEVERITY_COLORS[s],
      data: d.trend.map((t) => t[s]),
    })),
  };
  const sources = d.coverage.sources;
  const coverage: ChartOption = {
    tooltip: {
      formatter: (p: { data: [number, number, number, number] }) =>
        `${sources[p.data[1]].title} ${d.coverage.days[p.data[0]]}: ${COVERAGE_TITLES[COVERAGE_STATES[p.data[2]]]} (${p.data[3].toLocaleString('ja-JP')} 件)`,
    },
    grid: { left: 150, right: 20, top: 10, bottom: 40 },
    xAxis: { type: 'category', data: d.coverage.days.map((x) => x.slice(8)), splitArea: { show: true } },
    yAxis: { type: 'category', data: sources.map((s) => s.title) },
    visualMap: {
      type: 'piecewise',
      show: false,
      dimension: 2,
      pieces: COVERAGE_STATES.map((_, i) => ({ value: i, color: COVERAGE_COLORS[i] })),
    },
    series: [
      {
        type: 'heatmap',
        data: d.coverage.cells.map((c) => [
          d.coverage.days.indexOf(c.day),
          sources.findIndex((s) => s.source === c.source),
          COVERAGE_STATES.indexOf(c.state),
          c.events,
        ]),
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
      },
    ],
  };
  return { byRule, trend, coverage };
}
