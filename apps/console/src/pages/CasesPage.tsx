import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { Case, RepeatPattern } from '../api/types';
import { DataTable } from '../components/DataTable';
import { choices, ErrorBox, Field, Loading, PageTitle, Select } from '../components/ui';
import { month as monthTitle, time, todayJst } from '../format';
import { CASE_STATE_TITLES, CASE_STATES, CaseState } from '../labels';

export function CaseStateBadge({ state }: { state: string }) {
  return <span className={`badge case-${state}`}>{CASE_STATE_TITLES[state as CaseState] ?? state}</span>;
}

/** 事案: the cases per staff member (filtered by state, kept in the URL) and the month's 継続監視対象 with their reasons. */
export function CasesPage() {
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? '';
  const month = params.get('month') || todayJst().slice(0, 7);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next);
  };
  const cases = useQuery({
    queryKey: ['cases', state],
    queryFn: () => unwrap(api.GET('/api/cases', { params: { query: { state: (state || undefined) as CaseState | undefined } } })),
  });
  const patterns = useQuery({
    queryKey: ['patterns', month],
    queryFn: () => unwrap(api.GET('/api/cases/patterns', { params: { query: { month } } })),
    enabled: /^\d{4}-\d{2}$/.test(month),
    retry: false,
  });
  const caseColumns = useMemo<Array<ColumnDef<Case, unknown>>>(
    () => [
      { header: '事案番号', accessorKey: 'id', cell: (c) => <Link to={`/cases/${c.row.original.id}`}>{c.row.original.id}</Link> },
      { header: '職員', accessorKey: 'userId' },
      { header: '件名', accessorKey: 'title' },
      { header: '状態', accessorKey: 'state', cell: (c) => <CaseStateBadge state={c.row.original.state} /> },
      { header: '担当', accessorKey: 'owner' },
      { id: 'findings', header: '検知', accessorFn: (r) => r.findingIds.length },
      { header: '開始', accessorKey: 'openedAt', cell: (c) => time(c.row.original.openedAt) },
      { header: '最終更新', accessorKey: 'updatedAt', cell: (c) => time(c.row.original.updatedAt) },
    ],
    [],
  );
  const patternColumns = useMemo<Array<ColumnDef<RepeatPattern, unknown>>>(
    () => [
      { header: '職員', accessorKey: 'userId' },
      {
        id: 'reasons',
        header: '理由',
        enableSorting: false,
        cell: (c) => (
          <ul className="plain">
            {c.row.original.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ),
      },
      {
        id: 'openCases',
        header: '開いている事案',
        enableSorting: false,
        cell: (c) =>
          c.row.original.openCases.length === 0
            ? 'なし'
            : c.row.original.openCases.map((id) => (
                <Link key={id} to={`/cases/${id}`} className="chip">
                  {id}
                </Link>
              )),
      },
    ],
    [],
  );
  return (
    <>
      <PageTitle sub="職員ごとの事案（受付 → 調査中 → 終結）と、繰り返し検知されている職員（継続監視対象）。">事案</PageTitle>
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label="絞り込み">
        <Field label="状態">
          {(id) => (
            <Select
              id={id}
              value={state}
              choices={choices(CASE_STATES, CASE_STATE_TITLES)}
              none="すべて"
              onChange={(v) => set('state', v)}
            />
          )}
        </Field>
      </form>
      <section className="card" aria-labelledby="cases-h">
        <h2 id="cases-h">事案の一覧</h2>
        <ErrorBox error={cases.error} />
        {cases.isLoading ? (
          <Loading what="事案" />
        ) : (
          <DataTable
            caption="事案の一覧"
            data={cases.data ?? []}
            columns={caseColumns}
            rowKey={(c) => c.id}
            empty="該当する事案はありません。"
          />
        )}
      </section>
      <section className="card" aria-labelledby="patterns-h">
        <h2 id="patterns-h">継続監視対象 — {monthTitle(month)}</h2>
        <Field label="対象月" hint="この月までの検知から判定します（誤検知・例外適用は数えません）。">
          {(id, hint) => (
            <input id={id} type="month" value={month} aria-describedby={hint} onChange={(e) => set('month', e.target.value)} />
          )}
        </Field>
        <ErrorBox error={patterns.error} />
        {patterns.isLoading ? (
          <Loading what="継続監視対象" />
        ) : (
          <DataTable
            caption="継続監視対象"
            data={patterns.data ?? []}
            columns={patternColumns}
            rowKey={(p) => p.userId}
            empty="この月の継続監視対象はいません。"
          />
        )}
      </section>
    </>
  );
}
