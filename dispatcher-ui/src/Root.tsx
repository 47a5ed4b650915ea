import { useEffect, useSyncExternalStore } from 'react';
import type { ClientConfig } from './api.ts';
import { App } from './App.tsx';
import { LoginForm } from './features/auth/LoginForm.tsx';
import type { Session } from './features/auth/session.ts';
import type { LiveSocket } from './realtime/socket.ts';
import type { LiveStore } from './realtime/store.ts';
import { RolePages } from './pages/RolePages.tsx';

/** Login when the server asks for one; the console (and its live socket) once we may see it. */
export function Root({ store, session, socket, config }: { store: LiveStore; session: Session; socket: LiveSocket; config: ClientConfig }) {
  const s = useSyncExternalStore(session.subscribe, session.get);
  const mayConnect = s.status === 'in' || s.status === 'open';
  useEffect(() => {
    if (mayConnect) socket.connect();
    else socket.disconnect();
  }, [mayConnect, socket]);

  if (s.status === 'checking') return null;
  if (s.status === 'login') return <LoginForm session={session} expired={s.expired} />;
  const user = s.status === 'in' ? s.user : null;
  const logout = () => void session.logout();
  // Each role gets its own screen; the dispatcher screen is the dispatcher's, supervisor's and admin's.
  return <RolePages user={user} socket={socket} config={config} onLogout={logout} dispatcher={<App store={store} config={config} user={user} onLogout={logout} />} />;
}
