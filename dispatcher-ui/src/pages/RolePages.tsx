import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import './pages.css';
import type { User } from '@lifeline/protocol';
import type { ClientConfig } from '../api.ts';
import type { LiveSocket } from '../realtime/socket.ts';
import { TopbarNav } from '../topbarNav.ts';
import type { PageKey } from '../i18n/pages.ts';
import { usePageText } from './text.ts';

// Each role's pages load with that role, not with the dispatcher console (maplibre makes that big enough).
const HospitalPage = lazy(() => import('./hospital/HospitalPage.tsx').then((m) => ({ default: m.HospitalPage })));
const CrewPage = lazy(() => import('./crew/CrewPage.tsx').then((m) => ({ default: m.CrewPage })));
const ReplayPage = lazy(() => import('./replay/ReplayPage.tsx').then((m) => ({ default: m.ReplayPage })));
const KpiPage = lazy(() => import('./kpi/KpiPage.tsx').then((m) => ({ default: m.KpiPage })));
const SimPage = lazy(() => import('./sim/SimPage.tsx').then((m) => ({ default: m.SimPage })));
const AgencyPage = lazy(() => import('../features/line1022/AgencyPage.tsx').then((m) => ({ default: m.AgencyPage })));
const AdminPage = lazy(() => import('./admin/AdminPage.tsx').then((m) => ({ default: m.AdminPage })));

export interface RolePagesProps {
  /** Null when the server has no login (an older server): the dispatcher screen only. */
  user: User | null;
  socket: LiveSocket;
  config: ClientConfig;
  /** The dispatcher screen, as the Root builds it. */
  dispatcher: ReactNode;
  onLogout(): void;
}

type Tab = 'dispatch' | 'replay' | 'kpi' | 'sim' | 'admin';
const TAB_LABEL: Record<Tab, PageKey> = { dispatch: 'nav.dispatch', replay: 'nav.replay', kpi: 'nav.kpi', sim: 'nav.sim', admin: 'nav.admin' };

/** Which screen a role gets after login. */
export function RolePages({ user, socket, config, dispatcher, onLogout }: RolePagesProps) {
  if (!user) return <>{dispatcher}</>;
  switch (user.role) {
    case 'dispatcher':
      return <>{dispatcher}</>;
    case 'hospital':
      return (
        <Suspense fallback={null}>
          <HospitalPage user={user} socket={socket} onLogout={onLogout} />
        </Suspense>
      );
    case 'crew':
      return (
        <Suspense fallback={null}>
          <CrewPage user={user} socket={socket} onLogout={onLogout} />
        </Suspense>
      );
    case 'agency':
      return (
        <Suspense fallback={null}>
          <AgencyPage user={user} onLogout={onLogout} />
        </Suspense>
      );
    case 'supervisor':
      return <Tabs tabs={['dispatch', 'replay', 'kpi', 'sim']} user={user} config={config} dispatcher={dispatcher} onLogout={onLogout} />;
    case 'admin':
      return <Tabs tabs={['dispatch', 'replay', 'kpi', 'sim', 'admin']} user={user} config={config} dispatcher={dispatcher} onLogout={onLogout} />;
  }
}

const tabFromHash = (tabs: readonly Tab[]): Tab => {
  const h = location.hash.slice(1) as Tab;
  return tabs.includes(h) ? h : 'dispatch';
};

/**
 * Supervisors and admins: the dispatcher screen plus their own tabs. A tab stays mounted once
 * opened (hidden when another is shown), so the dispatcher's map and a paused replay survive a
 * look at the KPIs. The tab is in the URL hash (#replay, #kpi, #sim, #admin).
 */
function Tabs({ tabs, user, config, dispatcher, onLogout }: { tabs: Tab[]; user: User; config: ClientConfig; dispatcher: ReactNode; onLogout(): void }) {
  const { p, t, locale, setLocale } = usePageText();
  const [tab, setTab] = useState<Tab>(() => tabFromHash(tabs));
  const [opened, setOpened] = useState<Set<Tab>>(() => new Set([tab]));
  useEffect(() => {
    const onHash = () => setTab(tabFromHash(tabs));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [tabs]);
  useEffect(() => setOpened((s) => (s.has(tab) ? s : new Set(s).add(tab))), [tab]);
  const go = (to: Tab) => {
    history.replaceState(null, '', to === 'dispatch' ? location.pathname + location.search : `#${to}`);
    setTab(to);
  };

  const page = (which: Tab, node: ReactNode) =>
    opened.has(which) ? (
      <div className="tab-page" hidden={tab !== which} data-tab={which}>
        {node}
      </div>
    ) : null;

  const tabButtons = tabs.map((x) => (
    <button key={x} type="button" className={`tab${tab === x ? ' on' : ''}`} aria-current={tab === x ? 'page' : undefined} data-tab={x} onClick={() => go(x)}>
      {p(TAB_LABEL[x])}
    </button>
  ));
  // On the dispatch tab the tabs sit in the dispatcher screen's own bar (one bar, not two).
  const inlineNav = (
    <nav className="tabbar inline" aria-label={p('nav.label')}>
      {tabButtons}
    </nav>
  );
  return (
    <div className="tabs-shell">
      {tab !== 'dispatch' ? (
        <nav className="tabbar" aria-label={p('nav.label')}>
          <span className="brand">{t('app.title')}</span>
          {tabButtons}
          <span className="tabbar-right">
            <span className="user">
              {user.displayName} · {p(`role.${user.role}`)}
            </span>
            <button type="button" className="link" onClick={onLogout}>
              {t('login.logout')}
            </button>
            <button type="button" className="lang" aria-label={t('lang.label')} onClick={() => setLocale(locale === 'vi' ? 'en' : 'vi')}>
              {t('lang.other')}
            </button>
          </span>
        </nav>
      ) : null}
      <div className="tab-page" hidden={tab !== 'dispatch'} data-tab="dispatch">
        <TopbarNav.Provider value={tab === 'dispatch' ? inlineNav : null}>{dispatcher}</TopbarNav.Provider>
      </div>
      <Suspense fallback={<p className="muted pad">{p('common.loading')}</p>}>
        {page('replay', <ReplayPage config={config} />)}
        {page('kpi', <KpiPage />)}
        {page('sim', <SimPage />)}
        {page('admin', <AdminPage />)}
      </Suspense>
    </div>
  );
}
