import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { AuditRecord } from '../api/types';
import { DataTable } from '../components/DataTable';
import { choices, ErrorBox, Field, Pager, PageTitle, Select } from '../components/ui';
import { time } from '../format';
import { AUDIT_KIND_TITLES, AUDIT_KINDS, AUDIT_OUTCOME_TITLES, AuditKind } from '../labels';

/** 監査ログ: who used kansa — log-ins, reads of personal data with their purpose, triage, changes. Filters in the URL. */
export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const query = {
    from: get('from') || undefined,
    to: get('to') || undefined,
    kind: get('kind') || undefined,
    actor: get('actor') || undefined,
    page: Number(get('page') || 1),
    pageSize: 100,
  };
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== 'page') next.delete('page');
    setParams(next);
  };
  const q = useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap(api.GET('/api/audit', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const columns = useMemo<Array<ColumnDef<AuditRecord, unknown>>>(
    () => [
      { header: '日時', accessorKey: 'at', cell: (c) => time(c.row.original.at) },
      { header: '種類', accessorKey: 'kind', cell: (c) => AUDIT_KIND_TITLES[c.row.original.kind as AuditKind] ?? c.row.original.kind },
      {
        header: '誰が',
        accessorKey: 'client',
        cell: (c) => `${c.row.original.client}${c.row.original.role ? ` (${c.row.original.role})` : ''}`,
      },
      {
        header: '結果',
        accessorKey: 'outcome',
        cell: (c) => AUDIT_OUTCOME_TITLES[c.row.original.outcome] ?? c.row.original.outcome,
      },
      { header: '何を', id: 'what', accessorFn: (r) => describe(r) },
      { header: '目的', accessorKey: 'purpose' },
      { header: '受付番号', accessorKey: 'reference' },
      { header: '接続元', accessorKey: 'remote_addr' },
    ],
    [],
  );
  return (
    <>
      <PageTitle sub="kansa 自体の利用状況: ログイン、個人情報の参照 (目的つき)、確認・判断、利用者・マスタ・報告書の変更。すべて追記のみです。">
        監査ログ
      </PageTitle>
      <form className="card filters" onSubmit={(e) => e.preventDefault()} aria-label="絞り込み">
        <Field label="期間 (から)">
          {(id) => <input id={id} type="date" value={get('from')} onChange={(e) => set('from', e.target.value)} />}
        </Field>
        <Field label="期間 (まで)">
          {(id) => <input id={id} type="date" value={get('to')} onChange={(e) => set('to', e.target.value)} />}
        </Field>
        <Field label="種類">
          {(id) => (
            <Select
              id={id}
              value={get('kind')}
              choices={choices(AUDIT_KINDS, AUDIT_KIND_TITLES)}
              none="すべて"
              onChange={(v) => set('kind', v)}
            />
          )}
        </Field>
        <Field label="利用者">{(id) => <input id={id} value={get('actor')} onChange={(e) => set('actor', e.target.value.trim())} />}</Field>
      </form>
      <ErrorBox error={q.error} />
      <DataTable caption="監査ログ" data={q.data?.rows ?? []} columns={columns} rowKey={(r) => r.access_id} />
      {q.data && <Pager page={query.page} pageSize={query.pageSize} total={q.data.total} onPage={(p) => set('page', String(p))} />}
    </>
  );
}

/** What a record was about, in a few words. */
function describe(r: AuditRecord): string {
  const detail = r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {};
  const query = r.query ? (JSON.parse(r.query) as Record<string, unknown>) : {};
  if (r.kind === 'triage') return `検知 ${String(detail.finding ?? '').slice(0, 8)}… → ${String(detail.to ?? '')}`;
  if (r.kind === 'user_change') return `${String(detail.action ?? '')} ${String(detail.user ?? '')}`;
  if (r.kind === 'login_failure' || r.kind === 'session_expired') return String(detail.reason ?? '');
  if (query.subject) return `住民 ${String(query.subject)}`;
  if (query.user) return `職員 ${String(query.user)}`;
  return r.route || r.path;
}
