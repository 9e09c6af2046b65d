import { ReactNode, useEffect } from 'react';
import { NavLink, useLocation } from 'react-router';
import { PERSON_ROLE_TITLES, PersonRole } from '../labels';
import { Permission, useSession } from '../session';

/** The left menu: every page one click away, shown only to those who may open it. */
export const PAGES: Array<{ path: string; title: string; permission: Permission }> = [
  { path: '/', title: 'ダッシュボード', permission: 'dashboard' },
  { path: '/findings', title: '検知一覧', permission: 'findings.read' },
  { path: '/cases', title: '事案', permission: 'findings.read' },
  { path: '/exceptions', title: '例外承認', permission: 'findings.read' },
  { path: '/subjects', title: '住民の照会履歴 (開示請求)', permission: 'events.read' },
  { path: '/staff', title: '職員の操作履歴', permission: 'events.read' },
  { path: '/reports', title: '報告書', permission: 'reports.read' },
  { path: '/catalogue', title: 'マスタ・ルール', permission: 'catalogue.read' },
  { path: '/audit', title: '監査ログ', permission: 'audit.read' },
  { path: '/users', title: '利用者', permission: 'users.manage' },
];

export function Shell({ children }: { children: ReactNode }) {
  const { session, logout, can } = useSession();
  const location = useLocation();
  const here = PAGES.find((p) => (p.path === '/' ? location.pathname === '/' : location.pathname.startsWith(p.path)));
  useEffect(() => {
    document.title = `${here?.title ?? '管理画面'} — kansa`;
  }, [here]);
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">kansa 監査 管理画面</span>
        {session && (
          <span className="who">
            <span>
              {session.name}（{PERSON_ROLE_TITLES[session.role as PersonRole] ?? session.role}）
            </span>
            <span className="muted">操作がないと {session.expiresAt.slice(11, 16)} 頃にセッションが切れます</span>
            <NavLink to="/password" className="link">
              パスワード変更
            </NavLink>
            <button type="button" className="link" onClick={() => void logout()}>
              ログアウト
            </button>
          </span>
        )}
      </header>
      <nav className="menu" aria-label="メニュー">
        <ul>
          {PAGES.filter((p) => can(p.permission)).map((p) => (
            <li key={p.path}>
              <NavLink to={p.path} end={p.path === '/'}>
                {p.title}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="main">
        {children}
      </main>
    </div>
  );
}
