import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { FindingRow, FindingsQuery } from '../api/types';
import { DataTable } from '../components/DataTable';
import { choices, ErrorBox, Field, Pager, PageTitle, Select, SeverityBadge, StatusBadge } from '../components/ui';
import { day } from '../format';
import { FINDING_STATUS_TITLES, FINDING_STATUSES, SEVERITIES, SEVERITY_TITLES } from '../labels';
import { useSession } from '../session';

const SORTS: Record<string, NonNullable<FindingsQuery['sort']>> = {
  day: 'day',
  severity: 'severity',
  rule: 'rule',
  userId: 'user',
  department: 'department',
  status: 'status',
  count: 'count',
};

/** 検知一覧: every filter, the sort and the page live in the URL (a link shows the same list). */
export function FindingsPage() {
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const queries = useQueryClient();
  const get = (k: string) => params.get(k) ?? '';
  const query: FindingsQuery = {
    from: get('from') || undefined,
    to: get('to') || undefined,
    rule: get('rule') || undefined,
    severity: get('severity') || undefined,
    status: get('status') || undefined,
    department: get('department') || undefined,
    userId: get('userId') || undefined,
    assignee: params.has('assignee') ? get('assignee') : undefined,
    sort: (get('sort') || 'day') as FindingsQuery['sort'],
    order: (get('order') || 'desc') as FindingsQuery['order'],
    page: Number(get('page') || 1),
    pageSize: 50,
  };
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next);
  };
  const list = useQuery({
    queryKey: ['findings', query],
    queryFn: () => unwrap(api.GET('/api/console/findings', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const options = useQuery({ queryKey: ['options'], queryFn: () => unwrap(api.GET('/api/console/options')) });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [assignee, setAssignee] = useState('');
  const assign = useMutation({
    mutationFn: () => unwrap(api.POST('/api/console/findings/assign', { body: { ids: [...selected], assignee, comment: '' } })),
    onSuccess: () => {
      setSelected(new Set());
      void queries.invalidateQueries({ queryKey: ['findings'] });
    },
  });
  const items = list.data?.items ?? [];
  const columns = useMemo<Array<ColumnDef<FindingRow, unknown>>>(
    () => [
      ...(can('findings.assign')
        ? [
            {
              id: 'select',
              header: () => <span className="sr-only">選択</span>,
              enableSorting: false,
              cell: ({ row }: { row: { original: FindingRow } }) => (
                <input
                  type="checkbox"
                  aria-label={`${row.original.day} ${row.original.ruleTitle} ${row.original.userId} を選択`}
                  checked={selected.has(row.original.id)}
                  onChange={(e) => {
                    const next = new Set(selected);
                    if (e.target.checked) next.add(row.original.id);
                    else next.delete(row.original.id);
                    setSelected(next);
                  }}
                />
              ),
            } satisfies ColumnDef<FindingRow, unknown>,
          ]
        : []),
      { id: 'day', header: '日付', accessorKey: 'day', cell: (c) => day(c.row.original.day) },
      { id: 'severity', header: '重要度', accessorKey: 'severity', cell: (c) => <SeverityBadge severity={c.row.original.severity} /> },
      { id: 'rule', header: 'ルール', accessorKey: 'ruleTitle' },
      {
        id: 'userId',
        header: '職員',
        accessorKey: 'userId',
        cell: (c) => (c.row.original.userId ? `${c.row.original.userId} ${c.row.original.staffName}` : '—'),
      },
      { id: 'department', header: '所属', accessorKey: 'departmentName' },
      {
        id: 'summary',
        header: '内容',
        enableSorting: false,
        cell: (c) => <Link to={`/findings/${c.row.original.id}`}>{c.row.original.summary}</Link>,
      },
      { id: 'count', header: '件数', accessorKey: 'count' },
      { id: 'status', header: '状態', accessorKey: 'status', cell: (c) => <StatusBadge status={c.row.original.status} /> },
      { id: 'assignee', header: '担当', enableSorting: false, accessorKey: 'assignee' },
    ],
    [can, selected],
  );
  return (
    <>
      <PageTitle sub="条件・並び順・ページは URL に保存されます。">検知一覧</PageTitle>
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label="絞り込み">
        <Field label="期間 (から)">
          {(id) => <input id={id} type="date" value={get('from')} onChange={(e) => set({ from: e.target.value })} />}
        </Field>
        <Field label="期間 (まで)">
          {(id) => <input id={id} type="date" value={get('to')} onChange={(e) => set({ to: e.target.value })} />}
        </Field>
        <Field label="ルール">
          {(id) => (
            <Select
              id={id}
              value={get('rule')}
              choices={(options.data?.rules ?? []).map((r) => ({ value: r.id, label: r.title }))}
              none="すべて"
              onChange={(v) => set({ rule: v })}
            />
          )}
        </Field>
        <Field label="重要度">
          {(id) => (
            <Select
              id={id}
              value={get('severity')}
              choices={choices(SEVERITIES, SEVERITY_TITLES)}
              none="すべて"
              onChange={(v) => set({ severity: v })}
            />
          )}
        </Field>
        <Field label="状態">
          {(id) => (
            <Select
              id={id}
              value={get('status')}
              choices={[
                { value: 'new,reviewing,action_required', label: '未対応 (未確認・確認中・要対応)' },
                ...choices(FINDING_STATUSES, FINDING_STATUS_TITLES),
              ]}
              none="すべて"
              onChange={(v) => set({ status: v })}
            />
          )}
        </Field>
        <Field label="所属">
          {(id) => (
            <Select
              id={id}
              value={get('department')}
              choices={(options.data?.departments ?? []).map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }))}
              none="すべて"
              onChange={(v) => set({ department: v })}
            />
          )}
        </Field>
        <Field label="職員ID">
          {(id) => <input id={id} value={get('userId')} onChange={(e) => set({ userId: e.target.value.trim() })} />}
        </Field>
        <button type="button" onClick={() => setParams(new URLSearchParams())}>
          条件を消す
        </button>
      </form>
      <ErrorBox error={list.error} />
      {can('findings.assign') && (
        <div className="toolbar card" aria-label="一括割当">
          <span>{selected.size} 件を選択</span>
          <Field label="担当者">
            {(id) => (
              <Select
                id={id}
                value={assignee}
                choices={(options.data?.assignees ?? []).map((a) => ({
                  value: a.name,
                  label: `${a.name} ${a.departments.length ? `(${a.departments.join(', ')})` : ''}`,
                }))}
                none="(割当を外す)"
                onChange={setAssignee}
              />
            )}
          </Field>
          <button type="button" disabled={selected.size === 0 || assign.isPending} onClick={() => assign.mutate()}>
            選択した検知を割り当てる
          </button>
          <ErrorBox error={assign.error} />
          {assign.isSuccess && <span role="status">{assign.data.assigned} 件を割り当てました。</span>}
        </div>
      )}
      <DataTable
        caption="検知一覧"
        data={items}
        columns={columns}
        rowKey={(r) => r.id}
        sorting={[{ id: Object.keys(SORTS).find((k) => SORTS[k] === query.sort) ?? 'day', desc: query.order !== 'asc' }]}
        onSort={(s) => s[0] && set({ sort: SORTS[s[0].id], order: s[0].desc ? 'desc' : 'asc' })}
      />
      {list.data && (
        <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => set({ page: String(p) })} />
      )}
    </>
  );
}
