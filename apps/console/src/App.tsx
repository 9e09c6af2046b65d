import { Navigate, Route, Routes } from 'react-router';
import { PAGES, Shell } from './components/Shell';
import { Loading } from './components/ui';
import { AuditPage } from './pages/AuditPage';
import { CasePage } from './pages/CasePage';
import { CasesPage } from './pages/CasesPage';
import { CataloguePage } from './pages/CataloguePage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { DashboardPage } from './pages/DashboardPage';
import { ExceptionPage, ExceptionsPage } from './pages/ExceptionsPage';
import { FindingPage } from './pages/FindingPage';
import { FindingsPage } from './pages/FindingsPage';
import { LoginPage } from './pages/LoginPage';
import { ReportsPage } from './pages/ReportsPage';
import { StaffTimelinePage } from './pages/StaffTimelinePage';
import { SubjectSearchPage } from './pages/SubjectSearchPage';
import { UsersPage } from './pages/UsersPage';
import { Permission, useSession } from './session';

/** A page only for those with the permission; others are told so (the API refuses them too). */
function Guarded({ permission, children }: { permission: Permission; children: React.ReactNode }) {
  const { can } = useSession();
  if (can(permission)) return <>{children}</>;
  return (
    <p className="error" role="alert">
      このページを表示する権限がありません。
    </p>
  );
}

export function App() {
  const { session, loading } = useSession();
  if (loading) return <Loading what="管理画面" />;
  if (!session) return <LoginPage />;
  if (session.mustChangePassword) {
    return (
      <Shell>
        <ChangePasswordPage required />
      </Shell>
    );
  }
  const first = PAGES.find((p) => session.permissions.includes(p.permission))?.path ?? '/password';
  return (
    <Shell>
      <Routes>
        <Route path="/" element={session.permissions.includes('dashboard') ? <DashboardPage /> : <Navigate to={first} replace />} />
        <Route
          path="/findings"
          element={
            <Guarded permission="findings.read">
              <FindingsPage />
            </Guarded>
          }
        />
        <Route
          path="/findings/:id"
          element={
            <Guarded permission="findings.read">
              <FindingPage />
            </Guarded>
          }
        />
        <Route
          path="/cases"
          element={
            <Guarded permission="findings.read">
              <CasesPage />
            </Guarded>
          }
        />
        <Route
          path="/cases/:id"
          element={
            <Guarded permission="findings.read">
              <CasePage />
            </Guarded>
          }
        />
        <Route
          path="/exceptions"
          element={
            <Guarded permission="findings.read">
              <ExceptionsPage />
            </Guarded>
          }
        />
        <Route
          path="/exceptions/:id"
          element={
            <Guarded permission="findings.read">
              <ExceptionPage />
            </Guarded>
          }
        />
        <Route
          path="/subjects"
          element={
            <Guarded permission="events.read">
              <SubjectSearchPage />
            </Guarded>
          }
        />
        <Route
          path="/staff"
          element={
            <Guarded permission="events.read">
              <StaffTimelinePage />
            </Guarded>
          }
        />
        <Route
          path="/reports"
          element={
            <Guarded permission="reports.read">
              <ReportsPage />
            </Guarded>
          }
        />
        <Route
          path="/catalogue"
          element={
            <Guarded permission="catalogue.read">
              <CataloguePage />
            </Guarded>
          }
        />
        <Route
          path="/audit"
          element={
            <Guarded permission="audit.read">
              <AuditPage />
            </Guarded>
          }
        />
        <Route
          path="/users"
          element={
            <Guarded permission="users.manage">
              <UsersPage />
            </Guarded>
          }
        />
        <Route path="/password" element={<ChangePasswordPage required={false} />} />
        <Route path="*" element={<p role="alert">ページが見つかりません。</p>} />
      </Routes>
    </Shell>
  );
}
