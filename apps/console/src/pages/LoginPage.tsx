import { FormEvent, useState } from 'react';
import { ErrorBox, Field } from '../components/ui';
import { useSession } from '../session';

export function LoginPage() {
  const { login, ended } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(name, password);
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login" id="main">
      <h1>kansa 監査 管理画面</h1>
      <p className="muted">特定個人情報取扱システムのアクセスログ分析。利用はすべて記録されます。</p>
      {ended && (
        <div className="notice" role="status">
          {ended}
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} className="card">
        <Field label="利用者名">
          {(id) => <input id={id} name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="パスワード">
          {(id) => (
            <input
              id={id}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          ログイン
        </button>
      </form>
    </main>
  );
}
