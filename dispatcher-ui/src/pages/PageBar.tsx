import type { ReactNode } from 'react';
import type { User } from '@lifeline/protocol';
import { usePageText } from './text.ts';

/** The top bar of a role page: brand, what this page is, who is logged in, language. */
export function PageBar({ title, user, onLogout, children }: { title: string; user: User | null; onLogout(): void; children?: ReactNode }) {
  const { t, p, locale, setLocale } = usePageText();
  return (
    <header className="topbar pagebar">
      <h1>
        <span className="brand">{t('app.title')}</span> <span className="subtitle">{title}</span>
      </h1>
      {children}
      {user ? (
        <span className="user">
          {user.displayName} · {p(`role.${user.role}`)}
          <button type="button" className="link" onClick={onLogout}>
            {t('login.logout')}
          </button>
        </span>
      ) : null}
      <button type="button" className="lang" aria-label={t('lang.label')} lang={locale === 'vi' ? 'en' : 'vi'} onClick={() => setLocale(locale === 'vi' ? 'en' : 'vi')}>
        {t('lang.other')}
      </button>
    </header>
  );
}
