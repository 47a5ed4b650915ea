import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';
import type { Session } from './session.ts';

/** Username and password → POST /api/auth/login; the server sets the session cookie. */
export function LoginForm({ session, expired }: { session: Session; expired: boolean }) {
  const { t, tm, locale, setLocale } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Msg | null>(expired ? msg('login.expired') : null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !username || !password) return;
    setBusy(true);
    const r = await api.login({ username: username.trim(), password });
    setBusy(false);
    if (r.ok) return session.loggedIn(r.value.user);
    setPassword('');
    setError(
      r.status === 401
        ? msg('login.wrong')
        : r.code === 'TOO_MANY_ATTEMPTS'
          ? msg('login.throttled', { min: String(Math.max(1, Math.ceil((r.retryAfterSec ?? 60) / 60))) })
          : r.code === 'NETWORK'
            ? msg('error.network')
            : msg('error.server', { message: r.message }),
    );
  };

  return (
    <div className="login-page">
      <form className="panel login" onSubmit={submit}>
        <h1>
          <span className="brand">{t('app.title')}</span> <span className="subtitle">{t('app.subtitle')}</span>
        </h1>
        <label>
          {t('login.username')}
          <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error ? (
          <p className="error" role="alert">
            {tm(error)}
          </p>
        ) : null}
        <div className="row actions">
          <button type="submit" className="primary" disabled={busy || !username || !password}>
            {t('login.submit')}
          </button>
          <button type="button" className="link" aria-label={t('lang.label')} onClick={() => setLocale(locale === 'vi' ? 'en' : 'vi')}>
            {t('lang.other')}
          </button>
        </div>
      </form>
    </div>
  );
}
