import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import type { ExceptionInput } from '../api/types';
import { ErrorBox, Field, Select } from '../components/ui';
import { count } from '../format';

/** A list typed by a person: separated by 、 , or spaces. */
function listOf(text: string): string[] {
  return text.split(/[、,\s]+/).filter(Boolean);
}

const EMPTY = {
  rule: '',
  userIds: '',
  departments: '',
  sources: [] as string[],
  businessCodes: '',
  validFrom: '',
  validTo: '',
  maxCount: '',
  reason: '',
  reference: '',
  requestedBy: '',
  approvedBy: '',
};

/**
 * 例外承認の登録 (for exceptions.approve): the scope, period, reason and
 * approval of a new exception. The API checks it (a known rule, a period no
 * longer than the maximum, an approver other than the requester) and its
 * refusal, naming the field, is shown as it says it.
 */
export function ExceptionForm() {
  const queries = useQueryClient();
  const options = useQuery({ queryKey: ['options'], queryFn: () => unwrap(api.GET('/api/console/options')) });
  const [form, setForm] = useState(EMPTY);
  const set = (patch: Partial<typeof EMPTY>) => setForm((f) => ({ ...f, ...patch }));
  const add = useMutation({
    mutationFn: () => {
      const body: ExceptionInput = {
        rule: form.rule,
        userIds: listOf(form.userIds),
        departments: listOf(form.departments),
        sources: form.sources,
        businessCodes: listOf(form.businessCodes),
        validFrom: form.validFrom,
        validTo: form.validTo,
        maxCount: form.maxCount ? Number(form.maxCount) : null,
        reason: form.reason,
        reference: form.reference,
        requestedBy: form.requestedBy,
        approvedBy: form.approvedBy,
      };
      return unwrap(api.POST('/api/exceptions', { body }));
    },
    onSuccess: () => {
      setForm(EMPTY);
      void queries.invalidateQueries({ queryKey: ['exceptions'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const text = (label: string, key: keyof typeof EMPTY, hint?: string, required = false) => (
    <Field label={label} hint={hint}>
      {(id, described) => (
        <input
          id={id}
          aria-describedby={described}
          value={form[key] as string}
          onChange={(e) => set({ [key]: e.target.value })}
          required={required}
        />
      )}
    </Field>
  );
  return (
    <section className="card" aria-labelledby="add-exception-h">
      <h2 id="add-exception-h">例外承認を登録する</h2>
      <form onSubmit={submit} className="triage" aria-label="例外承認の登録">
        <Field label="ルール">
          {(id) => (
            <Select
              id={id}
              value={form.rule}
              choices={(options.data?.rules ?? []).map((r) => ({ value: r.id, label: `${r.title} (${r.id})` }))}
              none="選んでください"
              required
              onChange={(v) => set({ rule: v })}
            />
          )}
        </Field>
        {text('対象の職員ID', 'userIds', '「、」で区切って複数。空欄なら職員を限定しません')}
        {text('対象の所属コード', 'departments', '「、」で区切って複数。空欄なら所属を限定しません')}
        <fieldset className="choices">
          <legend>対象のシステム (選ばなければすべて)</legend>
          {(options.data?.sources ?? []).map(({ id: source, title }) => (
            <label key={source}>
              <input
                type="checkbox"
                checked={form.sources.includes(source)}
                onChange={(e) => set({ sources: e.target.checked ? [...form.sources, source] : form.sources.filter((s) => s !== source) })}
              />{' '}
              {title}
            </label>
          ))}
        </fieldset>
        {text('対象の業務コード', 'businessCodes', '「、」で区切って複数。空欄なら業務を限定しません')}
        <Field label="有効期間 (から)">
          {(id) => <input id={id} type="date" value={form.validFrom} onChange={(e) => set({ validFrom: e.target.value })} required />}
        </Field>
        <Field label="有効期間 (まで)">
          {(id) => <input id={id} type="date" value={form.validTo} onChange={(e) => set({ validTo: e.target.value })} required />}
        </Field>
        <Field label="上限件数" hint="空欄なら件数によらず対象。入れると、この件数までの検知だけが対象">
          {(id, described) => (
            <input
              id={id}
              aria-describedby={described}
              type="number"
              min={1}
              step={1}
              value={form.maxCount}
              onChange={(e) => set({ maxCount: e.target.value })}
            />
          )}
        </Field>
        <Field label="理由">
          {(id) => <textarea id={id} value={form.reason} onChange={(e) => set({ reason: e.target.value })} rows={2} required />}
        </Field>
        {text('決裁番号', 'reference', undefined, true)}
        {text('申請者', 'requestedBy', undefined, true)}
        {text('承認者', 'approvedBy', '申請者とは別の人', true)}
        <ErrorBox error={add.error} />
        {add.data && (
          <p role="status">
            登録しました: <Link to={`/exceptions/${add.data.exception.id}`}>{add.data.exception.reference}</Link>（対象になった検知{' '}
            {count(add.data.findingsCovered)} 件）
          </p>
        )}
        <button type="submit" className="primary" disabled={add.isPending}>
          登録する
        </button>
      </form>
    </section>
  );
}
