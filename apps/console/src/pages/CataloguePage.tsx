import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ChangeEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { MasterPreview } from '../api/types';
import { ErrorBox, Field, Loading, PageTitle, SeverityBadge } from '../components/ui';
import { paramValue, time } from '../format';
import { masterTitle, sourceTitle } from '../labels';
import { useSession } from '../session';

/** マスタ・ルール: master versions (upload: checked first, errors per line, then loaded), the rule catalogue (read-only). */
export function CataloguePage() {
  const { can } = useSession();
  const queries = useQueryClient();
  const masters = useQuery({ queryKey: ['masters'], queryFn: () => unwrap(api.GET('/api/masters')) });
  const rules = useQuery({ queryKey: ['rules'], queryFn: () => unwrap(api.GET('/api/rules')) });
  const [files, setFiles] = useState<Array<{ name: string; content: string }>>([]);
  const [preview, setPreview] = useState<MasterPreview | null>(null);
  const check = useMutation({
    mutationFn: async (chosen: Array<{ name: string; content: string }>) =>
      setPreview(await unwrap(api.POST('/api/masters/preview', { body: { files: chosen } }))),
  });
  const load = useMutation({
    mutationFn: () => unwrap(api.POST('/api/masters', { body: { files } })),
    onSuccess: () => {
      setFiles([]);
      setPreview(null);
      void queries.invalidateQueries({ queryKey: ['masters'] });
    },
  });
  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = await Promise.all([...(e.target.files ?? [])].map(async (f) => ({ name: f.name, content: await f.text() })));
    setFiles(chosen);
    setPreview(null);
    if (chosen.length) check.mutate(chosen);
  };
  const latest = new Map<string, NonNullable<typeof masters.data>[number]>();
  for (const m of masters.data ?? []) if (!latest.has(m.master)) latest.set(m.master, m);
  return (
    <>
      <PageTitle sub="マスタは取り込むたびに新しい版になり、分析はその日に有効な版で行われます。ルールは読み取り専用です (変更は設定ファイルで)。">
        マスタ・ルール
      </PageTitle>
      <section className="card" aria-labelledby="masters-h">
        <h2 id="masters-h">マスタ (最新の版)</h2>
        {masters.isLoading && <Loading what="マスタ" />}
        <table className="data">
          <caption className="sr-only">マスタの最新の版</caption>
          <thead>
            <tr>
              <th scope="col">マスタ</th>
              <th scope="col">版</th>
              <th scope="col">適用開始</th>
              <th scope="col">取り込み</th>
              <th scope="col">ファイル</th>
              <th scope="col">行数</th>
            </tr>
          </thead>
          <tbody>
            {[...latest.values()].map((m) => (
              <tr key={m.master}>
                <td>{masterTitle(m.master)}</td>
                <td className="num">{m.version}</td>
                <td>{time(m.effectiveFrom)}</td>
                <td>{time(m.loadedAt)}</td>
                <td>{m.fileName}</td>
                <td className="num">{m.rows.toLocaleString('ja-JP')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {can('masters.load') && (
          <div className="upload">
            <h3>マスタの取り込み</h3>
            <Field label="マスタの CSV ファイル (staff.csv など、複数選択可)" hint="まず検証だけを行い、誤りがなければ取り込めます。">
              {(id, hint) => (
                <input id={id} aria-describedby={hint} type="file" accept=".csv,text/csv" multiple onChange={(e) => void choose(e)} />
              )}
            </Field>
            <ErrorBox error={check.error ?? load.error} />
            {preview && (
              <div aria-live="polite">
                <table className="data compact">
                  <caption>検証の結果</caption>
                  <thead>
                    <tr>
                      <th scope="col">ファイル</th>
                      <th scope="col">行数</th>
                      <th scope="col">誤り</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.files.map((f) => (
                      <tr key={f.file}>
                        <td>{f.file}</td>
                        <td className="num">{f.rows}</td>
                        <td>
                          {f.errors.length === 0 ? (
                            'なし'
                          ) : (
                            <ul className="errors">
                              {f.errors.map((e, i) => (
                                <li key={i}>
                                  {e.line} 行目{e.column ? ` ${e.column}` : ''}
                                  {e.value !== undefined ? ` "${e.value}"` : ''}: {e.message}
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <button type="button" className="primary" disabled={!preview.valid || load.isPending} onClick={() => load.mutate()}>
                  {preview.valid ? '取り込む' : '誤りを直してから取り込んでください'}
                </button>
              </div>
            )}
            {load.isSuccess && (
              <p role="status">{load.data.loaded.map((l) => `${l.file} (第${l.version}版 ${l.rows} 行)`).join('、')} を取り込みました。</p>
            )}
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="rules-h">
        <h2 id="rules-h">検知ルール</h2>
        {rules.isLoading && <Loading what="ルール" />}
        <ErrorBox error={rules.error ?? masters.error} />
        {rules.data?.map((r) => (
          <details key={r.id} className="rule">
            <summary>
              <SeverityBadge severity={r.severity} /> {r.title}（{r.id} 第{r.version}版）
            </summary>
            <p>{r.description}</p>
            <p className="muted">根拠: {r.guideline}</p>
            <p>
              読むデータ: ログ{' '}
              {r.reads.events.join(', ') === '*' ? 'すべてのシステム' : r.reads.events.map(sourceTitle).join('、') || 'なし'} / マスタ{' '}
              {r.reads.masters.map(masterTitle).join('、') || 'なし'} / さかのぼり {r.reads.lookbackDays} 日
            </p>
            <p>
              パラメータ:{' '}
              {Object.keys(r.params).length
                ? Object.entries(r.params)
                    .map(([k, v]) => `${k} ${paramValue(v)}`)
                    .join(' / ')
                : 'なし'}
            </p>
          </details>
        ))}
      </section>
    </>
  );
}
