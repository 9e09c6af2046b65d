import { useMutation } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { ExportButtons } from '../components/ExportButtons';
import type { EventLookup, FindingRow } from '../api/types';
import { EventsTable } from '../components/EventsTable';
import { ErrorBox, Field, PageTitle } from '../components/ui';
import { count } from '../format';
import { useSession } from '../session';

/** Operations listed on the page; the export has them all. */
const SHOWN = 1000;

/** 職員の操作履歴: one staff member's timeline across the four systems, with the events behind findings marked. */
export function StaffTimelinePage() {
  const { can } = useSession();
  const [form, setForm] = useState({ user: '', from: '', to: '', purpose: '' });
  const [asked, setAsked] = useState<typeof form | null>(null);
  const [result, setResult] = useState<{ events: EventLookup; findings: FindingRow[] } | null>(null);
  const search = useMutation({
    mutationFn: async (f: typeof form) => {
      const q = query(f);
      const events = await unwrap(api.GET('/api/events', { params: { query: { ...q, limit: SHOWN } } }));
      const findings = can('findings.read')
        ? (await unwrap(api.GET('/api/console/findings', { params: { query: { userId: q.user, from: q.from, to: q.to, pageSize: 500 } } })))
            .items
        : [];
      setAsked(f);
      setResult({ events, findings });
    },
  });
  const marked = new Map<string, string>();
  for (const f of result?.findings ?? []) for (const id of f.evidenceIds) marked.set(id, f.ruleTitle);
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    search.mutate(form);
  };
  return (
    <>
      <PageTitle sub="住民記録・統合宛名・中間サーバー・業務端末をまとめた時系列です。検知のもとになった操作に印が付きます。照会は目的とともに記録されます。">
        職員の操作履歴
      </PageTitle>
      <form className="card filters" onSubmit={submit} aria-label="検索条件">
        <Field label="職員ID">{(id) => <input id={id} required {...field('user')} />}</Field>
        <Field label="期間 (から)">{(id) => <input id={id} type="date" {...field('from')} />}</Field>
        <Field label="期間 (まで)">{(id) => <input id={id} type="date" {...field('to')} />}</Field>
        <Field label="利用目的 (必須)" hint="例: 検知の調査、所属からの照会">
          {(id, hint) => <input id={id} aria-describedby={hint} required minLength={2} {...field('purpose')} />}
        </Field>
        <button type="submit" className="primary" disabled={search.isPending}>
          表示する
        </button>
      </form>
      <ErrorBox error={search.error} />
      {result && (
        <section className="card" aria-labelledby="timeline-h">
          <h2 id="timeline-h">
            職員 {result.events.matched[0]} の操作 {count(result.events.total)} 件（検知 {result.findings.length} 件）
          </h2>
          <ExportButtons query={query(asked!)} name="kansa-user" />
          {result.events.total > result.events.events.length && (
            <p className="muted">
              最初の {count(result.events.events.length)} 件を表示しています。すべては CSV・PDF
              で出力できます。期間を絞ると見やすくなります。
            </p>
          )}
          <EventsTable events={result.events.events} caption="職員の操作" show="subject" marked={marked} />
        </section>
      )}
    </>
  );
}

/** The look-up as query parameters (the timeline and its export ask the same). */
function query(f: { user: string; from: string; to: string; purpose: string }): Record<string, string> & { user: string; purpose: string } {
  return { user: f.user.trim(), purpose: f.purpose, ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) };
}
