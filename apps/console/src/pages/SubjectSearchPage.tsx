import { useMutation } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { ExportButtons } from '../components/ExportButtons';
import type { EventLookup } from '../api/types';
import { EventsTable } from '../components/EventsTable';
import { ErrorBox, Field, PageTitle } from '../components/ui';
import { count } from '../format';

/**
 * 住民の照会履歴 (開示請求): who touched this resident, by either number.
 * The purpose and the request's reference are required; the search and every
 * export are recorded in the audit log.
 */
export function SubjectSearchPage() {
  const [form, setForm] = useState({ subject: '', from: '', to: '', purpose: '開示請求', reference: '' });
  const [asked, setAsked] = useState<typeof form | null>(null);
  const [result, setResult] = useState<EventLookup | null>(null);
  const search = useMutation({
    mutationFn: async (f: typeof form) => {
      const r = await unwrap(api.GET('/api/events', { params: { query: { ...query(f), limit: 5000 } } }));
      setAsked(f);
      setResult(r);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    search.mutate(form);
  };
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }),
  });
  return (
    <>
      <PageTitle sub="宛名番号 (10 桁) でも統合宛名番号 (15 桁) でも、両方の番号へのアクセスを探します。検索と出力は目的とともに記録されます。">
        住民の照会履歴 (開示請求)
      </PageTitle>
      <form className="card filters" onSubmit={submit} aria-label="検索条件">
        <Field label="宛名番号 または 統合宛名番号">
          {(id) => <input id={id} inputMode="numeric" pattern="\d{10}|\d{15}" required {...field('subject')} />}
        </Field>
        <Field label="期間 (から)">{(id) => <input id={id} type="date" {...field('from')} />}</Field>
        <Field label="期間 (まで)">{(id) => <input id={id} type="date" {...field('to')} />}</Field>
        <Field label="利用目的 (必須)">{(id) => <input id={id} required minLength={2} {...field('purpose')} />}</Field>
        <Field label="受付番号 (必須)" hint="例: 令和7年 第12号">
          {(id, hint) => <input id={id} aria-describedby={hint} required {...field('reference')} />}
        </Field>
        <button type="submit" className="primary" disabled={search.isPending}>
          検索する
        </button>
      </form>
      <ErrorBox error={search.error} />
      {result && asked && (
        <section className="card" aria-labelledby="result-h">
          <h2 id="result-h">
            {result.matched.join(' / ')} へのアクセス {count(result.total)} 件
          </h2>
          <ExportButtons query={query(asked)} name="kansa-subject" />
          {result.total > result.events.length && (
            <p className="muted">最初の {count(result.events.length)} 件を表示しています。すべては CSV・PDF で出力できます。</p>
          )}
          <EventsTable events={result.events} caption="住民へのアクセス" show="staff" />
        </section>
      )}
    </>
  );
}

/** The search as query parameters (the look-up and its export ask the same). */
function query(f: {
  subject: string;
  from: string;
  to: string;
  purpose: string;
  reference: string;
}): Record<string, string> & { subject: string; purpose: string } {
  return {
    subject: f.subject.trim(),
    purpose: f.purpose,
    reference: f.reference,
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
  };
}
