import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onUnauthorized, setCsrfToken, unwrap } from './api/client';
import type { paths } from './api/schema';

export type Session = paths['/api/session']['get']['responses'][200]['content']['application/json'];
export type Permission = Session['permissions'][number];

interface SessionState {
  session: Session | null;
  loading: boolean;
  /** Why the last session ended (expired), shown on the log-in page. */
  ended: string;
  login(name: string, password: string): Promise<Session>;
  logout(): Promise<void>;
  changed(session: Session): void;
  can(permission: Permission): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

/** The person logged in: their role, permissions and CSRF token, from GET /api/session. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [ended, setEnded] = useState('');
  const current = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      const r = await api.GET('/api/session');
      if (r.response.status === 401 || r.response.status === 403) return null;
      return unwrap(Promise.resolve(r));
    },
    retry: false,
    staleTime: Infinity,
  });
  const session = current.data ?? null;
  useEffect(() => setCsrfToken(session?.csrfToken ?? ''), [session]);
  const forget = useCallback(
    (message: string) => {
      setCsrfToken('');
      queries.setQueryData(['session'], null);
      queries.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      setEnded(message);
    },
    [queries],
  );
  useEffect(() => onUnauthorized(forget), [forget]);
  const state = useMemo<SessionState>(
    () => ({
      session,
      loading: current.isLoading,
      ended,
      async login(name, password) {
        const s = await unwrap(api.POST('/api/session', { body: { name, password } }));
        setCsrfToken(s.csrfToken);
        setEnded('');
        queries.setQueryData(['session'], s);
        return s;
      },
      async logout() {
        await api.DELETE('/api/session').catch(() => undefined);
        forget('');
      },
      changed(s) {
        queries.setQueryData(['session'], s);
      },
      can: (p) => Boolean(session?.permissions.includes(p)),
    }),
    [session, current.isLoading, ended, queries, forget],
  );
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('SessionProvider missing');
  return s;
}
