import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { FormEvent, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import type { ExceptionRecord } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorBox, Field, Loading, PageTitle, Select } from '../components/ui';
import { count, day, time } from '../format';
import { EXCEPTION_STATE_TITLES, sourceTitle } from '../labels';
import { useSession } from '../session';
import { ExceptionForm } from './ExceptionForm';

function ExceptionStateBadge({ state }: { state: string }) {
  return <span className={`badge ex-${state}`}>{EXCEPTION_STATE_TITLES[state] ?? state}</span>;
}

/** An exception's scope in words: whom, where and how much it covers (its rule and period are columns of their own). */
function scopeText(e: ExceptionRecord): string {
  const parts = [
    e.userIds.length ? `職員 ${e.userIds.join('、')}` : '',
    e.departments.length ? `所属 ${e.departments.join('、')}` : '',
    e.sources.length ? `システム ${e.sources.map(sourceTitle).join('、')}` : '',
    e.businessCodes.length ? `業務 ${e.businessCodes.join('、')}` : '',
    e.days.length ? `対象日 ${e.days.join('、')}` : '',
    e.maxCount !== null ? `${count(e.maxCount)} 件まで` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' / ') : 'ルールの検知すべて';
}

/** The columns of an exception, for the list and for the versions (the rule's title from the catalogue). */
function useExceptionColumns(versions: boolean): Array<ColumnDef<ExceptionRecord, unknown>> {
  const options = useQuery({ queryKey: ['options'], queryFn: () => unwrap(api.GET('/api/console/options')) });
  const titles = useMemo(() => new Map(options.data?.rules.map((r) => [r.id, r.title])), [options.data]);
  return useMemo<Array<ColumnDef<ExceptionRecord, unknown>>>(
    () => [
      versions
        ? { header: '版', accessorKey: 'version' }
        : {
            header: '決裁番号',
            accessorKey: 'reference',
            cell: (c) => <Link to={`/exceptions/${c.row.original.id}`}>{c.row.original.reference}</Link>,
          },
      ...(versions ? [{ header: '決裁番号', accessorKey: 'reference' } satisfies ColumnDef<ExceptionRecord, unknown>] : []),
      { header: 'ルール', accessorKey: 'rule', cell: (c) => titles.get(c.row.original.rule) ?? c.row.original.rule },
      { id: 'scope', header: '対象', enableSorting: false, cell: (c) => scopeText(c.row.original) },
      {
        id: 'period',
        header: '期間',
        accessorKey: 'validFrom',
        cell: (c) => `${day(c.row.original.validFrom)} 〜 ${day(c.row.original.validTo)}`,
      },
      { header: '理由', accessorKey: 'reason' },
      { header: '申請者', accessorKey: 'requestedBy' },
      { header: '承認者', accessorKey: 'approvedBy' },
      { header: '状態', accessorKey: 'state', cell: (c) => <ExceptionStateBadge state={c.row.original.state} /> },
      {
        id: 'changed',
        header: versions ? '記録' : '最終変更',
        accessorKey: 'changedAt',
        cell: (c) =>
          `${time(c.row.original.changedAt)} ${c.row.original.changedBy}${c.row.original.note ? `（${c.row.original.note}）` : ''}`,
      },
    ],
    [titles, versions],
  );
}

/** 例外承認: the latest version of each approved exception (all, or only those in force), and those expiring soon; the form to approve one for those who may. */
export function ExceptionsPage() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const active = params.get('active') === 'true';
  const list = useQuery({
    queryKey: ['exceptions', active],
    queryFn: () => unwrap(api.GET('/api/exceptions', { params: { query: active ? { active: 'true' } : {} } })),
  });
  const columns = useExceptionColumns(false);
  return (
    <>
      <PageTitle sub="事前に承認された計画的な業務（一括印刷など）。対象の検知は削除されず「例外適用」として残ります。">例外承認</PageTitle>
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label="絞り込み">
        <Field label="表示">
          {(id) => (
            <Select
              id={id}
              value={active ? 'true' : ''}
              choices={[{ value: 'true', label: '有効なものだけ' }]}
              none="すべて (取消を含む)"
              onChange={(v) => setParams(v ? { active: 'true' } : {})}
            />
          )}
        </Field>
      </form>
      <ErrorBox error={list.error} />
      {list.isLoading ? (
        <Loading what="例外承認" />
      ) : (
        <>
          {(list.data?.expiring.length ?? 0) > 0 && (
            <section className="card" aria-labelledby="expiring-h">
              <h2 id="expiring-h">期限が近いもの</h2>
              <ul className="plain">
                {list.data!.expiring.map((e) => (
                  <li key={e.id}>
                    <Link to={`/exceptions/${e.id}`}>{e.reference}</Link> — {day(e.validTo)} まで
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="card" aria-labelledby="exceptions-h">
            <h2 id="exceptions-h">例外承認の一覧</h2>
            <DataTable
              caption="例外承認の一覧"
              data={list.data?.exceptions ?? []}
              columns={columns}
              rowKey={(e) => e.id}
              empty="例外承認はありません。"
            />
          </section>
        </>
      )}
      {can('exceptions.approve') && <ExceptionForm />}
    </>
  );
}

/** An exception's every version, oldest first (an edit or a revocation is a new version; none is lost); revoking it, with a reason, for those who may. */
export function ExceptionPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const queries = useQueryClient();
  const [reason, setReason] = useState('');
  const revoke = useMutation({
    mutationFn: () => unwrap(api.POST('/api/exceptions/{id}/revoke', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => {
      setReason('');
      void queries.invalidateQueries({ queryKey: ['exception', id] });
      void queries.invalidateQueries({ queryKey: ['exceptions'] });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) void queries.invalidateQueries({ queryKey: ['exception', id] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    revoke.mutate();
  };
  const q = useQuery({
    queryKey: ['exception', id],
    queryFn: () => unwrap(api.GET('/api/exceptions/{id}', { params: { path: { id } } })),
    retry: false,
  });
  const columns = useExceptionColumns(true);
  const latest = q.data?.at(-1);
  return (
    <>
      <PageTitle sub={<Link to="/exceptions">← 例外承認</Link>}>
        例外承認 {id}
        {latest && ` — ${latest.reference}`}
      </PageTitle>
      <ErrorBox error={q.error} />
      {q.isLoading ? (
        <Loading what="例外承認" />
      ) : (
        <section className="card" aria-labelledby="versions-h">
          <h2 id="versions-h">すべての版（古い順）</h2>
          <DataTable caption="例外承認の版" data={q.data ?? []} columns={columns} rowKey={(e) => String(e.version)} />
        </section>
      )}
      {can('exceptions.approve') && latest?.state === 'active' && (
        <section className="card" aria-labelledby="revoke-h">
          <h2 id="revoke-h">取り消す</h2>
          <p className="muted">取り消すと、対象だった検知は通常どおりの検知に戻ります。この版までの記録は残ります。</p>
          <form onSubmit={submit} className="triage">
            <Field label="取消の理由">
              {(fid) => <textarea id={fid} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} required maxLength={4000} />}
            </Field>
            <ErrorBox error={revoke.error} />
            <button type="submit" className="primary" disabled={revoke.isPending || !reason.trim()}>
              取り消す
            </button>
          </form>
        </section>
      )}
    </>
  );
}
