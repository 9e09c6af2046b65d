import { FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { ErrorBox, Field, PageTitle } from '../components/ui';
import { useSession } from '../session';

/** The one-time password must be changed before anything else (the API refuses every other route until then). */
export function ChangePasswordPage({ required }: { required: boolean }) {
  const { changed } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next !== again) return setError(new Error('新しいパスワードが一致しません'));
    try {
      changed(await unwrap(api.POST('/api/session/password', { body: { current, next } })));
      setDone(true);
      setCurrent('');
      setNext('');
      setAgain('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <PageTitle sub={required ? '一時パスワードでログインしました。続けるには新しいパスワードを設定してください。' : undefined}>
        パスワードの変更
      </PageTitle>
      <form onSubmit={(e) => void submit(e)} className="card narrow">
        <Field label="現在のパスワード">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="新しいパスワード" hint="12 文字以上。利用者名を含めないでください。">
          {(id, hint) => (
            <input
              id={id}
              aria-describedby={hint}
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="新しいパスワード (確認)">
          {(id) => (
            <input id={id} type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
          )}
        </Field>
        <ErrorBox error={error} />
        {done && (
          <p className="ok" role="status">
            パスワードを変更しました。
          </p>
        )}
        <button type="submit" className="primary">
          変更する
        </button>
      </form>
    </>
  );
}
