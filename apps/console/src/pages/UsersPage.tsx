import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { User } from '../api/types';
import { choices, ErrorBox, Field, Loading, PageTitle, Select } from '../components/ui';
import { time } from '../format';
import { PERSON_ROLE_TITLES, PERSON_ROLES, PersonRole } from '../labels';

/** 利用者 (admin): people's accounts — add (one-time password shown once), role and departments, disable, reset; the API tokens configured. */
export function UsersPage() {
  const queries = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/users')) });
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => unwrap(api.GET('/api/tokens')) });
  const [form, setForm] = useState({ name: '', role: 'officer' as PersonRole, departments: '' });
  const [issued, setIssued] = useState<{ name: string; password: string } | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: ['users'] });
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/users', {
          body: {
            name: form.name,
            role: form.role,
            departments: form.departments
              .split(',')
              .map((d) => d.trim())
              .filter(Boolean),
          },
        }),
      ),
    onSuccess: (r) => {
      setIssued({ name: r.user.name, password: r.oneTimePassword });
      setForm({ name: '', role: 'officer', departments: '' });
      refresh();
    },
  });
  const update = useMutation({
    mutationFn: (v: { user: User; disabled: boolean }) =>
      unwrap(api.PATCH('/api/users/{userId}', { params: { path: { userId: v.user.userId } }, body: { disabled: v.disabled } })),
    onSuccess: refresh,
  });
  const reset = useMutation({
    mutationFn: (u: User) => unwrap(api.POST('/api/users/{userId}/reset-password', { params: { path: { userId: u.userId } } })),
    onSuccess: (r) => {
      setIssued({ name: r.user.name, password: r.oneTimePassword });
      refresh();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <>
      <PageTitle sub="一人に一つのアカウント。役割は必要な最小限に。一時パスワードは一度だけ表示され、初回ログインで変更が必要です。">
        利用者
      </PageTitle>
      {issued && (
        <div className="notice" role="status">
          {issued.name} の一時パスワード: <code className="otp">{issued.password}</code>
          （この画面でのみ表示されます。本人に安全な方法で渡してください）
        </div>
      )}
      <form className="card filters" onSubmit={submit} aria-label="利用者の追加">
        <Field label="名前">
          {(id) => <input id={id} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />}
        </Field>
        <Field label="役割">
          {(id) => (
            <Select
              id={id}
              value={form.role}
              choices={choices(PERSON_ROLES, PERSON_ROLE_TITLES)}
              onChange={(v) => setForm({ ...form, role: v as PersonRole })}
            />
          )}
        </Field>
        <Field label="担当所属コード (確認者のみ、カンマ区切り)">
          {(id) => <input id={id} value={form.departments} onChange={(e) => setForm({ ...form, departments: e.target.value })} />}
        </Field>
        <button type="submit" className="primary" disabled={add.isPending}>
          追加する
        </button>
      </form>
      <ErrorBox error={add.error ?? update.error ?? reset.error ?? users.error} />
      {users.isLoading && <Loading what="利用者" />}
      <section className="card" aria-labelledby="users-h">
        <h2 id="users-h">アカウント</h2>
        <table className="data">
          <caption className="sr-only">アカウント</caption>
          <thead>
            <tr>
              <th scope="col">名前</th>
              <th scope="col">役割</th>
              <th scope="col">担当所属</th>
              <th scope="col">状態</th>
              <th scope="col">最終変更</th>
              <th scope="col">
                <span className="sr-only">操作</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data?.map((u) => (
              <tr key={u.userId}>
                <td>{u.name}</td>
                <td>{PERSON_ROLE_TITLES[u.role]}</td>
                <td>{u.departments.join(', ')}</td>
                <td>{u.disabled ? '無効' : u.mustChangePassword ? '一時パスワード' : '有効'}</td>
                <td>
                  {time(u.updatedAt)} {u.updatedBy}
                </td>
                <td className="actions">
                  <button type="button" className="link" onClick={() => reset.mutate(u)}>
                    一時パスワード再発行
                  </button>
                  <button type="button" className="link" onClick={() => update.mutate({ user: u, disabled: !u.disabled })}>
                    {u.disabled ? '有効にする' : '無効にする'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">API トークン (機械用)</h2>
        <p className="muted">
          送信システムや監視のためのトークンです。作成は <code>kansa token create --name N --role ingest --sources jumin</code>{' '}
          で行い、設定ファイルに登録します。
        </p>
        <table className="data compact">
          <caption className="sr-only">API トークン</caption>
          <thead>
            <tr>
              <th scope="col">名前</th>
              <th scope="col">役割</th>
              <th scope="col">送信できるシステム</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.map((t) => (
              <tr key={t.name}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>{t.sources.join(', ') || (t.role === 'ingest' ? 'すべて' : '—')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
