import { ReactNode, useId } from 'react';
import { ApiError } from '../api/client';
import { FINDING_STATUS_TITLES, FindingStatus, SEVERITY_TITLES, Severity } from '../labels';

export function PageTitle({ children, sub }: { children: ReactNode; sub?: ReactNode }) {
  return (
    <div className="page-title">
      <h1>{children}</h1>
      {sub && <p className="muted">{sub}</p>}
    </div>
  );
}

/** An error as the person should read it: the API's message (日本語 (english)). */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      {message}
    </div>
  );
}

export function Loading({ what = 'データ' }: { what?: string }) {
  return (
    <p className="muted" role="status">
      {what}を読み込んでいます…
    </p>
  );
}

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`badge sev-${severity}`}>{SEVERITY_TITLES[severity as Severity] ?? severity}</span>;
}

export function StatusBadge({ status }: { status: FindingStatus | string }) {
  return <span className={`badge st-${status}`}>{FINDING_STATUS_TITLES[status as FindingStatus] ?? status}</span>;
}

/** A labelled form control (every input has its label, for screen readers too). */
export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  hint?: string;
  children: (id: string, describedBy?: string) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint && (
        <small id={hintId} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label="ページ送り">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        前へ
      </button>
      <span>
        {page} / {pages} ページ（全 {total.toLocaleString('ja-JP')} 件）
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        次へ
      </button>
    </nav>
  );
}

/** One option of a Select. */
export interface Choice {
  value: string;
  label: string;
}

/** The choices of `values`, labelled with their titles, in the values' order. */
export function choices<V extends string>(values: readonly V[], titles: Record<V, string>): Choice[] {
  return values.map((v) => ({ value: v, label: titles[v] }));
}

/** A <select> of choices; `none` labels a first, empty choice (すべて, 選んでください …). */
export function Select({
  id,
  value,
  choices: options,
  none,
  required,
  onChange,
}: {
  id: string;
  value: string;
  choices: readonly Choice[];
  none?: string;
  required?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required}>
      {none !== undefined && <option value="">{none}</option>}
      {options.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

/** 次の状態: the states a finding or a case may move to from where it is, by their titles. */
export function NextStateField<S extends string>({
  value,
  options,
  titles,
  onChange,
}: {
  value: S | '';
  options: readonly S[];
  titles: Record<S, string>;
  onChange: (to: S | '') => void;
}) {
  return (
    <Field label="次の状態">
      {(fid) => (
        <Select
          id={fid}
          value={value}
          choices={choices(options, titles)}
          none="選んでください"
          required
          onChange={(v) => onChange(v as S | '')}
        />
      )}
    </Field>
  );
}
