import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { FormEvent, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import type { Case, CaseEvent, FindingRow } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorBox, Field, Loading, NextStateField, PageTitle, SeverityBadge, StatusBadge } from '../components/ui';
import { day, time } from '../format';
import { CASE_EVENT_TITLES, CASE_STATE_TITLES, CASE_TRANSITIONS, CaseState } from '../labels';
import { useSession } from '../session';
import { CaseStateBadge } from './CasesPage';

/** One line of the timeline, in words. */
function eventText(e: CaseEvent): string {
  switch (e.kind) {
    case 'opened':
      return `「${e.title}」（担当 ${e.owner}）`;
    case 'state':
      return `→ ${CASE_STATE_TITLES[e.state as CaseState] ?? e.state}${e.text ? `（結果: ${e.text}）` : ''}`;
    case 'owner':
      return `→ ${e.owner}`;
    case 'note':
      return `「${e.text}」`;
    default:
      return e.findingId;
  }
}

/** 事案の詳細: state, owner, the linked findings (each linked to its page), the timeline; notes and state changes for those who triage. */
export function CasePage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const queries = useQueryClient();
  const q = useQuery({
    queryKey: ['case', id],
    queryFn: () => unwrap(api.GET('/api/cases/{id}', { params: { path: { id } } })),
    retry: false,
  });
  const userId = q.data?.userId;
  // The staff member's findings, to show the linked ones as rows (the case holds their IDs).
  const theirs = useQuery({
    queryKey: ['findings', { userId, pageSize: 500 }],
    queryFn: () => unwrap(api.GET('/api/console/findings', { params: { query: { userId, pageSize: 500, sort: 'day', order: 'asc' } } })),
    enabled: Boolean(userId),
  });
  const refresh = (err?: unknown) => {
    if (!err || (err instanceof ApiError && err.status === 409)) void queries.invalidateQueries({ queryKey: ['case', id] });
    if (!err) void queries.invalidateQueries({ queryKey: ['cases'] });
  };
  const [text, setText] = useState('');
  const note = useMutation({
    mutationFn: () => unwrap(api.POST('/api/cases/{id}/notes', { params: { path: { id } }, body: { text } })),
    onSuccess: () => {
      setText('');
      refresh();
    },
    onError: refresh,
  });
  const [to, setTo] = useState<CaseState | ''>('');
  const [outcome, setOutcome] = useState('');
  const move = useMutation({
    mutationFn: () => unwrap(api.POST('/api/cases/{id}/state', { params: { path: { id } }, body: { to: to as CaseState, outcome } })),
    onSuccess: () => {
      setTo('');
      setOutcome('');
      refresh();
    },
    onError: refresh,
  });
  const columns = useMemo<Array<ColumnDef<FindingRow, unknown>>>(
    () => [
      { header: '日付', accessorKey: 'day', cell: (c) => day(c.row.original.day) },
      { header: '重要度', accessorKey: 'severity', cell: (c) => <SeverityBadge severity={c.row.original.severity} /> },
      { header: 'ルール', accessorKey: 'ruleTitle' },
      { header: '内容', accessorKey: 'summary', cell: (c) => <Link to={`/findings/${c.row.original.id}`}>{c.row.original.summary}</Link> },
      { header: '件数', accessorKey: 'count' },
      { header: '状態', accessorKey: 'status', cell: (c) => <StatusBadge status={c.row.original.status} /> },
    ],
    [],
  );
  if (q.isLoading) return <Loading what="事案" />;
  if (q.error || !q.data)
    return (
      <>
        <PageTitle>事案</PageTitle>
        <ErrorBox error={q.error} />
        <Link to="/cases">事案の一覧へ戻る</Link>
      </>
    );
  const c: Case = q.data;
  const rows = (theirs.data?.items ?? []).filter((f) => c.findingIds.includes(f.id));
  const unseen = theirs.data ? c.findingIds.filter((f) => !rows.some((r) => r.id === f)) : [];
  const next = CASE_TRANSITIONS[c.state];
  const submit = (action: { mutate: () => void }) => (e: FormEvent) => {
    e.preventDefault();
    action.mutate();
  };
  return (
    <>
      <PageTitle sub={<Link to="/cases">← 事案</Link>}>
        事案 {c.id} — {c.title}
      </PageTitle>
      <section className="card summary" aria-label="要約">
        <dl className="facts">
          <dt>状態</dt>
          <dd>
            <CaseStateBadge state={c.state} />
            {c.outcome && ` 結果: ${c.outcome}`}
          </dd>
          <dt>職員</dt>
          <dd>{c.userId}</dd>
          <dt>担当</dt>
          <dd>{c.owner}</dd>
          <dt>開始</dt>
          <dd>
            {time(c.openedAt)} {c.openedBy}
          </dd>
          <dt>最終更新</dt>
          <dd>{time(c.updatedAt)}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="linked-h">
        <h2 id="linked-h">結びつけた検知（{c.findingIds.length} 件）</h2>
        <ErrorBox error={theirs.error} />
        {theirs.isLoading ? (
          <Loading what="検知" />
        ) : (
          <DataTable caption="結びつけた検知" data={rows} columns={columns} rowKey={(r) => r.id} empty="結びつけた検知はありません。" />
        )}
        {unseen.length > 0 && (
          <ul className="plain">
            {unseen.map((f) => (
              <li key={f}>
                <Link to={`/findings/${f}`}>検知 {f}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      {can('findings.triage') && (
        <section className="card" aria-labelledby="act-h">
          <h2 id="act-h">記録する</h2>
          <form onSubmit={submit(note)} className="triage">
            <Field label="メモ">
              {(fid) => <textarea id={fid} value={text} onChange={(e) => setText(e.target.value)} rows={3} required maxLength={4000} />}
            </Field>
            <ErrorBox error={note.error} />
            <button type="submit" className="primary" disabled={note.isPending || !text.trim()}>
              メモを残す
            </button>
          </form>
          <form onSubmit={submit(move)} className="triage">
            <NextStateField value={to} options={next} titles={CASE_STATE_TITLES} onChange={setTo} />
            {to === 'closed' && (
              <Field label="結果 (終結には必須)">
                {(fid) => <textarea id={fid} value={outcome} onChange={(e) => setOutcome(e.target.value)} rows={2} maxLength={4000} />}
              </Field>
            )}
            <ErrorBox error={move.error} />
            <button type="submit" className="primary" disabled={move.isPending || !to}>
              状態を変える
            </button>
          </form>
        </section>
      )}
      <section className="card" aria-labelledby="timeline-h">
        <h2 id="timeline-h">経過 (追記のみ)</h2>
        <ol className="history">
          {c.timeline.map((e) => (
            <li key={e.seq}>
              <time>{time(e.at)}</time> {e.by}: {CASE_EVENT_TITLES[e.kind] ?? e.kind} <span className="comment">{eventText(e)}</span>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
