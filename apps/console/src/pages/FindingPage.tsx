import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { FormEvent, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import type { AccessEvent, FindingRow } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorBox, Field, Loading, NextStateField, PageTitle, SeverityBadge, StatusBadge } from '../components/ui';
import { day, era, paramValue, time } from '../format';
import { actionTitle, FINDING_STATUS_TITLES, FindingStatus, sourceTitle } from '../labels';
import { useSession } from '../session';
import { OpenCaseForm } from './OpenCaseForm';

export function FindingPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const queries = useQueryClient();
  const q = useQuery({
    queryKey: ['finding', id],
    queryFn: () => unwrap(api.GET('/api/console/findings/{id}', { params: { path: { id } } })),
    retry: false,
  });
  const [to, setTo] = useState<FindingStatus | ''>('');
  const [comment, setComment] = useState('');
  const [rawPurpose, setRawPurpose] = useState('検知の確認');
  const [raw, setRaw] = useState<Record<string, string>>({});
  const triage = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/findings/{id}/transition', { params: { path: { id } }, body: { to: to as FindingStatus, comment } })),
    onSuccess: () => {
      setTo('');
      setComment('');
      void queries.invalidateQueries({ queryKey: ['finding', id] });
      void queries.invalidateQueries({ queryKey: ['findings'] });
    },
    onError: (err) => {
      // 409: someone changed it first — show their state.
      if (err instanceof ApiError && err.status === 409) void queries.invalidateQueries({ queryKey: ['finding', id] });
    },
  });
  const showRaw = useMutation({
    mutationFn: async (eventId: string) => {
      const r = await unwrap(
        api.GET('/api/console/findings/{id}/evidence/{eventId}/raw', { params: { path: { id, eventId }, query: { purpose: rawPurpose } } }),
      );
      setRaw((prev) => ({ ...prev, [eventId]: r.raw }));
    },
  });
  const evidenceColumns = useMemo<Array<ColumnDef<AccessEvent, unknown>>>(
    () => [
      { header: '日時', accessorKey: 'ts', cell: (c) => time(c.row.original.ts) },
      {
        header: 'システム',
        accessorKey: 'source',
        cell: (c) => sourceTitle(c.row.original.source),
      },
      { header: '職員', accessorKey: 'userId', cell: (c) => `${c.row.original.userId} ${c.row.original.userName}` },
      { header: '端末', accessorKey: 'terminalId' },
      { header: '操作', accessorKey: 'action', cell: (c) => actionTitle(c.row.original.action) },
      { header: '対象', accessorKey: 'subjectId' },
      { header: '件数', accessorKey: 'recordCount' },
      { header: '事由', accessorKey: 'reason' },
      {
        id: 'raw',
        header: '受信した行',
        enableSorting: false,
        cell: (c) =>
          raw[c.row.original.eventId] !== undefined ? (
            <code className="raw">{raw[c.row.original.eventId]}</code>
          ) : (
            <button type="button" className="link" onClick={() => showRaw.mutate(c.row.original.eventId)}>
              行を表示
            </button>
          ),
      },
    ],
    [raw, showRaw],
  );
  const otherColumns = useMemo<Array<ColumnDef<FindingRow, unknown>>>(
    () => [
      { header: '日付', accessorKey: 'day', cell: (c) => day(c.row.original.day) },
      { header: 'ルール', accessorKey: 'ruleTitle' },
      { header: '内容', accessorKey: 'summary', cell: (c) => <Link to={`/findings/${c.row.original.id}`}>{c.row.original.summary}</Link> },
      { header: '状態', accessorKey: 'status', cell: (c) => <StatusBadge status={c.row.original.status} /> },
    ],
    [],
  );
  if (q.isLoading) return <Loading what="検知" />;
  if (q.error || !q.data)
    return (
      <>
        <PageTitle>検知詳細</PageTitle>
        <ErrorBox error={q.error} />
        <Link to="/findings">検知一覧へ戻る</Link>
      </>
    );
  const { finding: f, rule, history, evidence, otherFindings, allowedTransitions } = q.data;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    triage.mutate();
  };
  return (
    <>
      <PageTitle sub={<Link to="/findings">← 検知一覧</Link>}>
        {f.ruleTitle} — {era(f.day)}
      </PageTitle>
      <section className="card summary" aria-label="要約">
        <p className="lead">{f.summary}</p>
        <dl className="facts">
          <dt>重要度</dt>
          <dd>
            <SeverityBadge severity={f.severity} />
          </dd>
          <dt>状態</dt>
          <dd>
            <StatusBadge status={f.status} /> {f.reviewedBy && `${f.reviewedBy} ${time(f.reviewedAt)}`}
          </dd>
          <dt>職員</dt>
          <dd>{f.userId ? `${f.userId} ${f.staffName}（${f.departmentName || '所属不明'}）` : '—'}</dd>
          <dt>日付</dt>
          <dd>{day(f.day)}</dd>
          <dt>時刻</dt>
          <dd>
            {time(f.firstAt)} 〜 {time(f.lastAt)}
          </dd>
          <dt>件数</dt>
          <dd>{f.count}</dd>
          <dt>担当</dt>
          <dd>{f.assignee || '未割当'}</dd>
        </dl>
      </section>
      {rule && (
        <section className="card" aria-labelledby="rule-h">
          <h2 id="rule-h">
            ルール: {rule.title}（{rule.id} 第{rule.version}版）
          </h2>
          <p>{rule.description}</p>
          <p className="muted">根拠: {rule.guideline}</p>
          <h3>この検知のパラメータ</h3>
          {Object.keys(f.params).length === 0 ? (
            <p className="muted">パラメータはありません。</p>
          ) : (
            <dl className="facts">
              {Object.entries(f.params).map(([k, v]) => (
                <div key={k} className="pair">
                  <dt>{k}</dt>
                  <dd>{paramValue(v)}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      )}
      <section className="card" aria-labelledby="triage-h">
        <h2 id="triage-h">確認・判断</h2>
        {can('findings.triage') && allowedTransitions.length > 0 ? (
          <form onSubmit={submit} className="triage">
            <NextStateField value={to} options={allowedTransitions} titles={FINDING_STATUS_TITLES} onChange={setTo} />
            <Field label="コメント (判断の理由、必須)">
              {(fid) => <textarea id={fid} value={comment} onChange={(e) => setComment(e.target.value)} rows={3} required minLength={2} />}
            </Field>
            <ErrorBox error={triage.error} />
            <button type="submit" className="primary" disabled={triage.isPending || !to || comment.trim().length < 2}>
              記録する
            </button>
          </form>
        ) : (
          <p className="muted">{allowedTransitions.length === 0 ? 'この検知は完了しています。' : '確認の権限がありません。'}</p>
        )}
        <h3>履歴 (追記のみ)</h3>
        <ol className="history">
          {history.map((h, i) => (
            <li key={i}>
              <time>{time(h.at)}</time> {h.by}: {FINDING_STATUS_TITLES[h.from]} → <strong>{FINDING_STATUS_TITLES[h.to]}</strong>
              {h.comment && <span className="comment">「{h.comment}」</span>}
            </li>
          ))}
          {history.length === 0 && <li className="muted">まだ確認されていません。</li>}
        </ol>
      </section>
      {can('findings.triage') && f.userId && (
        <section className="card" aria-labelledby="open-case-h">
          <h2 id="open-case-h">事案</h2>
          <p className="muted">職員 {f.userId} の事案を、この検知から開きます（同じ職員の他の検知は事案の画面で結びつけられます）。</p>
          <OpenCaseForm userId={f.userId} findingIds={[f.id]} title={`${f.ruleTitle}（${f.day}）`} />
        </section>
      )}
      <section className="card" aria-labelledby="evidence-h">
        <h2 id="evidence-h">
          証跡のイベント（{evidence.events.length} / {evidence.total} 件）
        </h2>
        <Field label="受信した行を表示する目的 (記録されます)">
          {(fid) => <input id={fid} value={rawPurpose} onChange={(e) => setRawPurpose(e.target.value)} />}
        </Field>
        <ErrorBox error={showRaw.error} />
        <DataTable caption="証跡のイベント" data={evidence.events} columns={evidenceColumns} rowKey={(e) => e.eventId} />
      </section>
      <section className="card" aria-labelledby="others-h">
        <h2 id="others-h">同じ職員の他の検知</h2>
        <DataTable
          caption="同じ職員の他の検知"
          data={otherFindings}
          columns={otherColumns}
          rowKey={(r) => r.id}
          empty="他の検知はありません。"
        />
      </section>
    </>
  );
}
